using Concurrency;
using Concurrency.DependencyInjection;
using Microsoft.Extensions.Configuration;

#pragma warning disable IDE0130 // Namespace does not match folder structure: DI extensions live where the DI ecosystem looks for them.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers an <see cref="IWorkExecutor"/> chosen by configuration.</summary>
public static class WorkExecutorServiceCollectionExtensions
{
    /// <summary>The configuration key that names the executor kind.</summary>
    public const string KindKey = "Kind";

    /// <summary>Gets the executor kinds that <c>AddWorkExecutor</c> can register here: those whose packages the application references.</summary>
    /// <value>The kinds' names (<c>Threads</c>, <c>Processes</c>, <c>SharedMemory</c>, ...), in ordinal order.</value>
    public static IReadOnlyList<string> AvailableKinds => [.. WorkExecutorKinds.Available.Keys.Order(StringComparer.Ordinal)];

    /// <summary>
    /// Registers the <see cref="IWorkExecutor"/> whose kind the <c>Kind</c> value of <paramref name="configuration"/> names
    /// (<c>Threads</c>, <c>Processes</c>, <c>SharedMemory</c>, ...), with the section's other values bound to that kind's options.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The executor's section, e.g. <c>configuration.GetSection("Executor")</c>.</param>
    /// <returns>The value of <paramref name="services"/>.</returns>
    /// <remarks>
    /// Every kind whose package the application references is available: executor packages make themselves
    /// known through <see cref="WorkExecutorKindAttribute"/>. Switching the isolation model is a change of the
    /// <c>Kind</c> value, not of code.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The section has no <c>Kind</c>, or names a kind that no referenced package brings.</exception>
    public static IServiceCollection AddWorkExecutor(this IServiceCollection services, IConfiguration configuration) =>
        AddWorkExecutorCore(services, configuration, serviceKey: null);

    /// <summary>
    /// Registers a keyed <see cref="IWorkExecutor"/> whose kind the <c>Kind</c> value of <paramref name="configuration"/> names,
    /// resolvable as <c>[FromKeyedServices(serviceKey)] IWorkExecutor</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="serviceKey">The service key, also the name of the executor's options and, by default, of the executor.</param>
    /// <param name="configuration">The executor's section.</param>
    /// <returns>The value of <paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The section has no <c>Kind</c>, or names a kind that no referenced package brings.</exception>
    public static IServiceCollection AddWorkExecutor(this IServiceCollection services, string serviceKey, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(serviceKey);
        return AddWorkExecutorCore(services, configuration, serviceKey);
    }

    private static IServiceCollection AddWorkExecutorCore(IServiceCollection services, IConfiguration configuration, string? serviceKey)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var kind = configuration[KindKey];
        var where = configuration is IConfigurationSection section ? $"'{section.Path}:{KindKey}'" : $"'{KindKey}'";
        var available = WorkExecutorKinds.Available.Count == 0
            ? "none (reference an executor package such as Concurrency.Threads)"
            : string.Join(", ", AvailableKinds);
        if (string.IsNullOrWhiteSpace(kind))
        {
            throw new InvalidOperationException(
                $"The executor configuration has no {where} value. Set it to one of the kinds this application references: {available}.");
        }

        if (!WorkExecutorKinds.TryGet(kind, out var attribute))
        {
            var hint = WorkExecutorKinds.KnownPackages.TryGetValue(kind, out var package)
                ? $"Kind '{kind}' comes with the package {package}: add a reference to it."
                : $"No package of this library brings a kind named '{kind}'; check the spelling.";
            throw new InvalidOperationException(
                $"Unknown executor kind '{kind}' in {where}. The kinds this application references are: {available}. {hint}");
        }

        if (Activator.CreateInstance(attribute.RegistrarType) is not IWorkExecutorRegistrar registrar)
        {
            throw new InvalidOperationException(
                $"The registrar {attribute.RegistrarType.FullName} of executor kind '{attribute.Kind}' does not implement {nameof(IWorkExecutorRegistrar)}.");
        }

        registrar.Register(services, configuration, serviceKey);
        return services;
    }
}
