using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Concurrency.Processes.Internal;

/// <summary>The keys (null: the default registration) of the process pools registered in a container.</summary>
internal sealed class ProcessPoolPrestartKeys
{
    private readonly List<string?> _keys = [];

    public IReadOnlyList<string?> Keys => _keys;

    public void Add(string? key)
    {
        if (!_keys.Contains(key))
        {
            _keys.Add(key);
        }
    }
}

/// <summary>Starts the workers of every registered process pool when the host starts, so the first items do not wait for them.</summary>
/// <remarks>A pool whose workers cannot start is logged, not fatal: its items then fail with the reason, and later items retry.</remarks>
internal sealed partial class ProcessPoolPrestartService(IServiceProvider services, ProcessPoolPrestartKeys keys) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger<ProcessPoolPrestartService>() ?? NullLogger<ProcessPoolPrestartService>.Instance;
        var starts = new List<Task>();
        foreach (var key in keys.Keys)
        {
            var executor = key is null ? services.GetRequiredService<ProcessPoolExecutor>() : services.GetRequiredKeyedService<ProcessPoolExecutor>(key);
            starts.Add(StartAsync(executor, logger, cancellationToken));
        }

        await Task.WhenAll(starts).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task StartAsync(ProcessPoolExecutor executor, ILogger logger, CancellationToken cancellationToken)
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
