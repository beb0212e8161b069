using Concurrency;
using Concurrency.DependencyInjection;
using Concurrency.Orleans;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Serialization;

#pragma warning disable IDE0130 // Namespace does not match folder structure: DI extensions live where the DI ecosystem looks for them.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers <see cref="OrleansExecutor"/> on the client side of an Orleans cluster.</summary>
public static class OrleansExecutorServiceCollectionExtensions
{
    /// <summary>Registers an <see cref="OrleansExecutor"/> as the <see cref="IWorkExecutor"/> singleton.</summary>
    /// <param name="services">The service collection. It must also hold an Orleans client (<c>UseOrleansClient</c>) or be a silo's: the executor uses its <see cref="IGrainFactory"/>.</param>
    /// <param name="configure">Configures the options; <see langword="null"/> for the defaults.</param>
    /// <returns>The value of <paramref name="services"/>.</returns>
    /// <remarks>The first registration wins; calling it again adds only option configuration. Options are validated at start-up.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddOrleansExecutor(this IServiceCollection services, Action<OrleansExecutorOptions>? configure = null) =>
        Register(services, serviceKey: null, configure, configuration: null);

    /// <summary>Registers an <see cref="OrleansExecutor"/> as a keyed <see cref="IWorkExecutor"/>, with options named <paramref name="serviceKey"/>.</summary>
    /// <param name="services">The service collection, with an Orleans client.</param>
    /// <param name="serviceKey">The service key, e.g. for <c>[FromKeyedServices("cluster")] IWorkExecutor</c>.</param>
    /// <param name="configure">Configures the options; <see langword="null"/> for the defaults.</param>
    /// <returns>The value of <paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="serviceKey"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddOrleansExecutor(this IServiceCollection services, string serviceKey, Action<OrleansExecutorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        return Register(services, serviceKey, configure, configuration: null);
    }

    /// <summary>The registration shared by the extension methods and the <c>Orleans</c> kind of <c>AddWorkExecutor(configuration)</c>.</summary>
    internal static IServiceCollection Register(IServiceCollection services, string? serviceKey, Action<OrleansExecutorOptions>? configure, IConfiguration? configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<OrleansExecutorOptions>, GrainFactoryFromContainer>());

        // The client must know the worker grain's interface even when the application names no type of this
        // assembly (a kind chosen by configuration alone): register its Orleans type manifest explicitly.
        services.AddSerializer(serializer => serializer.AddAssembly(typeof(OrleansExecutor).Assembly));
        return ExecutorRegistration.Add(services, serviceKey, configure, configuration, static (o, l) => new OrleansExecutor(
            o.GrainFactory ?? throw new InvalidOperationException("OrleansExecutor needs an Orleans client: register one with builder.UseOrleansClient(...) (or run inside a silo)."),
            o,
            l));
    }

    /// <summary>Gives every <see cref="OrleansExecutorOptions"/> the container's <see cref="IGrainFactory"/>.</summary>
    private sealed class GrainFactoryFromContainer(IServiceProvider services) : IPostConfigureOptions<OrleansExecutorOptions>
    {
        public void PostConfigure(string? name, OrleansExecutorOptions options) =>
            options.GrainFactory ??= services.GetService<IGrainFactory>();
    }
}
