using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Concurrency;

/// <summary>Registers one kind of executor from configuration. Named by <see cref="WorkExecutorKindAttribute"/>.</summary>
public interface IWorkExecutorRegistrar
{
    /// <summary>Registers the executor, with its options bound to <paramref name="configuration"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The executor's configuration section; its values other than <c>Kind</c> bind to the kind's options.</param>
    /// <param name="serviceKey">The key of a keyed registration, or <see langword="null"/> for the default <see cref="IWorkExecutor"/>.</param>
    void Register(IServiceCollection services, IConfiguration configuration, string? serviceKey);
}
