using Concurrency;
using Concurrency.DependencyInjection;
using Concurrency.Processes.Internal;
using Concurrency.SharedMemory;
using Microsoft.Extensions.Configuration;

#pragma warning disable IDE0130 // Namespace does not match folder structure: DI extensions live where the DI ecosystem looks for them.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers <see cref="SharedMemoryExecutor"/>.</summary>
public static class SharedMemoryExecutorServiceCollectionExtensions
{
    /// <summary>Registers a <see cref="SharedMemoryExecutor"/> as the <see cref="IWorkExecutor"/> singleton, with its workers started when the host starts.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options; <see langword="null"/> for the defaults.</param>
    /// <returns>The value of <paramref name="services"/>.</returns>
    /// <remarks>
    /// The first registration wins; calling it again adds only option configuration. Options are validated at start-up.
    /// An <c>IHostedService</c> starts the workers when the host starts (see <see cref="SharedMemoryExecutor.StartWorkersAsync"/>);
    /// without a host, they start at first use.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddSharedMemoryExecutor(this IServiceCollection services, Action<SharedMemoryExecutorOptions>? configure = null) =>
        Register(services, serviceKey: null, configure, configuration: null);

    /// <summary>Registers a <see cref="SharedMemoryExecutor"/> as a keyed <see cref="IWorkExecutor"/>, with options named <paramref name="serviceKey"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The service key, e.g. for <c>[FromKeyedServices("big-data")] IWorkExecutor</c>.</param>
    /// <param name="configure">Configures the options; <see langword="null"/> for the defaults.</param>
    /// <returns>The value of <paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="serviceKey"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddSharedMemoryExecutor(this IServiceCollection services, string serviceKey, Action<SharedMemoryExecutorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        return Register(services, serviceKey, configure, configuration: null);
    }

    internal static IServiceCollection Register(IServiceCollection services, string? serviceKey, Action<SharedMemoryExecutorOptions>? configure, IConfiguration? configuration)
    {
        ExecutorRegistration.Add(services, serviceKey, configure, configuration, static (o, l) => new SharedMemoryExecutor(o, l));
        ProcessPoolPrestartKeys.Register<SharedMemoryExecutor>(services, serviceKey);
        return services;
    }
}
