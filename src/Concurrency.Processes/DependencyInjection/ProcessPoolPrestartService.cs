using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Concurrency.Processes.Internal;

/// <summary>An executor whose workers a host starts at start-up: the process pool, and executors built on it.</summary>
internal interface IPrestartableExecutor
{
    /// <summary>Gets the executor's name, for logs.</summary>
    string Name { get; }

    /// <summary>Starts every worker and completes when they are ready.</summary>
    Task StartWorkersAsync(CancellationToken cancellationToken);
}

/// <summary>The executors (concrete type and key; null: the default registration) to start with the host.</summary>
internal sealed class ProcessPoolPrestartKeys
{
    private readonly List<(Type ExecutorType, string? Key)> _entries = [];

    public IReadOnlyList<(Type ExecutorType, string? Key)> Entries => _entries;

    /// <summary>Registers the prestart of the <typeparamref name="TExecutor"/> registered under <paramref name="serviceKey"/>: the first registration adds the hosted service.</summary>
    public static void Register<TExecutor>(IServiceCollection services, string? serviceKey)
        where TExecutor : class, IPrestartableExecutor
    {
        var keys = services.FirstOrDefault(d => d.ServiceType == typeof(ProcessPoolPrestartKeys))?.ImplementationInstance as ProcessPoolPrestartKeys;
        if (keys is null)
        {
            keys = new ProcessPoolPrestartKeys();
            services.AddSingleton(keys);
        }

        if (!keys._entries.Contains((typeof(TExecutor), serviceKey)))
        {
            keys._entries.Add((typeof(TExecutor), serviceKey));
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ProcessPoolPrestartService>());
    }
}

/// <summary>Starts the workers of every registered process pool (and executor built on one) when the host starts, so the first items do not wait for them.</summary>
/// <remarks>A pool whose workers cannot start is logged, not fatal: its items then fail with the reason, and later items retry.</remarks>
internal sealed partial class ProcessPoolPrestartService(IServiceProvider services, ProcessPoolPrestartKeys keys) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger<ProcessPoolPrestartService>() ?? NullLogger<ProcessPoolPrestartService>.Instance;
        var starts = new List<Task>();
        foreach (var (type, key) in keys.Entries)
        {
            var executor = (IPrestartableExecutor)(key is null ? services.GetRequiredService(type) : services.GetRequiredKeyedService(type, key));
            starts.Add(StartAsync(executor, logger, cancellationToken));
        }

        await Task.WhenAll(starts).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task StartAsync(IPrestartableExecutor executor, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await executor.StartWorkersAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or PlatformNotSupportedException)
        {
            LogPrestartFailed(logger, ex, executor.Name);
        }
    }

    [LoggerMessage(1, LogLevel.Error, "The workers of process pool {Name} could not be started at host start; items will fail until they can.")]
    private static partial void LogPrestartFailed(ILogger logger, Exception exception, string name);
}
