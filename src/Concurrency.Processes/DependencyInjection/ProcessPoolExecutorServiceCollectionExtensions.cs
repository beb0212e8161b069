using Concurrency;
using Concurrency.DependencyInjection;
using Concurrency.Processes;
using Concurrency.Processes.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

#pragma warning disable IDE0130 // Namespace does not match folder structure: DI extensions live where the DI ecosystem looks for them.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers <see cref="ProcessPoolExecutor"/>.</summary>
public static class ProcessPoolExecutorServiceCollectionExtensions
{
    /// <summary>Registers a <see cref="ProcessPoolExecutor"/> as the <see cref="IWorkExecutor"/> singleton, with its workers started when the host starts.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options; <see langword="null"/> for the defaults.</param>
    /// <returns>The value of <paramref name="services"/>.</returns>
    /// <remarks>
    /// The first registration wins; calling it again adds only option configuration. Options are validated at start-up.
    /// An <see cref="IHostedService"/> starts the workers when the host starts (see <see cref="ProcessPoolExecutor.StartWorkersAsync"/>);
    /// without a host, they start at first use.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddProcessPoolExecutor(this IServiceCollection services, Action<ProcessPoolExecutorOptions>? configure = null) =>
        Register(services, serviceKey: null, configure, configuration: null);

    /// <summary>Registers a <see cref="ProcessPoolExecutor"/> as a keyed <see cref="IWorkExecutor"/>, with options named <paramref name="serviceKey"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The service key, e.g. for <c>[FromKeyedServices("isolated")] IWorkExecutor</c>.</param>
    /// <param name="configure">Configures the options; <see langword="null"/> for the defaults.</param>
    /// <returns>The value of <paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="serviceKey"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddProcessPoolExecutor(this IServiceCollection services, string serviceKey, Action<ProcessPoolExecutorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        return Register(services, serviceKey, configure, configuration: null);
    }

    internal static IServiceCollection Register(IServiceCollection services, string? serviceKey, Action<ProcessPoolExecutorOptions>? configure, IConfiguration? configuration)
    {
        ExecutorRegistration.Add(services, serviceKey, configure, configuration, static (o, l) => new ProcessPoolExecutor(o, l));
        ProcessPoolPrestartKeys.Register<ProcessPoolExecutor>(services, serviceKey);
        return services;
    }
}
