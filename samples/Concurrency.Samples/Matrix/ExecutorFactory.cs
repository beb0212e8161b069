using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Concurrency.Samples.Matrix;

/// <summary>An executor and the service provider that owns it; disposing the lease disposes both.</summary>
internal sealed class ExecutorLease(ServiceProvider provider, IWorkExecutor executor) : IAsyncDisposable
{
    public IWorkExecutor Executor { get; } = executor;

    public ValueTask DisposeAsync() => provider.DisposeAsync();
}

/// <summary>
/// Creates executors of any kind the same way the application does: the configuration's <c>Executor</c>
/// section with its <c>Kind</c> set, through <c>AddWorkExecutor(configuration)</c> — no code knows a kind.
/// </summary>
internal sealed class ExecutorFactory(IConfiguration configuration, int? workers)
{
    /// <summary>Creates an executor of <paramref name="kind"/>, or says why it cannot.</summary>
    /// <param name="kind">The executor kind, e.g. Threads.</param>
    /// <param name="settings">More <c>Executor</c> options, e.g. ItemTimeout.</param>
    public (ExecutorLease? Lease, string? Problem) TryCreate(string kind, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?> { ["Executor:Kind"] = kind };
        if (workers is { } n)
        {
            values["Executor:MaxConcurrency"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values["Executor:" + key] = value;
        }

        var section = new ConfigurationBuilder()
            .AddConfiguration(configuration)
            .AddInMemoryCollection(values)
            .Build()
            .GetSection("Executor");
        ServiceProvider? provider = null;
        try
        {
            provider = new ServiceCollection().AddWorkExecutor(section).BuildServiceProvider();
            return (new ExecutorLease(provider, provider.GetRequiredService<IWorkExecutor>()), null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException or ArgumentException or PlatformNotSupportedException)
        {
            provider?.Dispose();
            return (null, ex.Message);
        }
    }
}
