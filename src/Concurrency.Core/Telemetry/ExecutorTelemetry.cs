using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Concurrency.Telemetry;

/// <summary>
/// The instruments every executor reports through, on the meter named <c>Concurrency</c>. Every
/// measurement is tagged with <c>concurrency.executor.name</c> and <c>concurrency.executor.kind</c>.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Instrument</term><description>Meaning</description></listheader>
/// <item><term><c>concurrency.items.started</c></term><description>Counter: items a worker began running.</description></item>
/// <item><term><c>concurrency.items.completed</c></term><description>Counter: items that ended with a result.</description></item>
/// <item><term><c>concurrency.items.failed</c></term><description>Counter: items that ended with an exception; tag <c>error.type</c> says which (workload, crash, timeout, cancelled).</description></item>
/// <item><term><c>concurrency.queue.length</c></term><description>UpDownCounter: items queued and not yet started.</description></item>
/// <item><term><c>concurrency.item.duration</c></term><description>Histogram (s): how long items ran.</description></item>
/// </list>
/// </remarks>
internal sealed class ExecutorTelemetry
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Concurrency";

    private static readonly Meter LibraryMeter = new(MeterName, typeof(ExecutorTelemetry).Assembly.GetName().Version?.ToString());
    private static readonly Counter<long> Started = LibraryMeter.CreateCounter<long>("concurrency.items.started", "{item}", "Items a worker began running.");
    private static readonly Counter<long> Completed = LibraryMeter.CreateCounter<long>("concurrency.items.completed", "{item}", "Items that ended with a result.");
    private static readonly Counter<long> Failed = LibraryMeter.CreateCounter<long>("concurrency.items.failed", "{item}", "Items that ended with an exception.");
    private static readonly UpDownCounter<long> QueueLength = LibraryMeter.CreateUpDownCounter<long>("concurrency.queue.length", "{item}", "Items queued and not yet started.");
    private static readonly Histogram<double> Duration = LibraryMeter.CreateHistogram<double>("concurrency.item.duration", "s", "How long items ran.");

    private readonly KeyValuePair<string, object?> _name;
    private readonly KeyValuePair<string, object?> _kind;

    public ExecutorTelemetry(string kind, string name)
    {
        _name = new("concurrency.executor.name", name);
        _kind = new("concurrency.executor.kind", kind);
    }

    /// <summary>Gets a value indicating whether anyone listens to item durations (timing each item costs a little).</summary>
    public static bool TimesItems => Duration.Enabled;

    public void Queued(int items)
    {
        if (QueueLength.Enabled)
        {
            QueueLength.Add(items, _name, _kind);
        }
    }

    public void Dequeued(int items)
    {
        if (QueueLength.Enabled)
        {
            QueueLength.Add(-items, _name, _kind);
        }
    }

    public void ItemsStarted(int items)
    {
        if (Started.Enabled)
        {
            Started.Add(items, _name, _kind);
        }
    }

    public void ItemsCompleted(int items)
    {
        if (Completed.Enabled)
        {
            Completed.Add(items, _name, _kind);
        }
    }

    public void ItemFailed(Exception exception)
    {
        if (Failed.Enabled)
        {
            var errorType = exception switch
            {
                WorkloadException => "workload",
                WorkerCrashedException => "crash",
                WorkTimeoutException => "timeout",
                OperationCanceledException => "cancelled",
                _ => exception.GetType().Name,
            };
            Failed.Add(1, _name, _kind, new("error.type", errorType));
        }
    }

    public void ItemDuration(long stopwatchTicks)
    {
        if (Duration.Enabled)
        {
            Duration.Record((double)stopwatchTicks / Stopwatch.Frequency, _name, _kind);
        }
    }
}
