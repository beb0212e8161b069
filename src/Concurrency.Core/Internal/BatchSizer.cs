using System.Diagnostics;

namespace Concurrency.Internal;

/// <summary>
/// Chooses the size of the next automatically sized batch of a map: large enough that the executor's
/// per-dispatch cost is small against the work, small enough to keep every worker busy.
/// </summary>
/// <remarks>
/// Starts at one item, and grows from measurements only: the mean time per item (an exponentially
/// weighted average of completed batches) gives the size whose batch lasts the dispatcher's target
/// duration. Growth is at most fourfold per decision so that a first fast item does not make a huge
/// batch of slow ones.
/// </remarks>
internal sealed class BatchSizer
{
    /// <summary>The largest automatic batch: a bound on the memory a batch holds and on the work lost to a crash.</summary>
    internal const int MaxAutomaticBatchSize = 4096;

    private readonly long _targetTicks;
    private readonly int _cap;
    private readonly int? _fixed;
    private double _ticksPerItem = double.NaN;
    private int _last = 1;

    public BatchSizer(MapOptions options, IBatchDispatcher dispatcher, int maxInFlight, int? knownCount)
    {
        _fixed = options.BatchSize is { } b ? Math.Min(b, maxInFlight) : null;
        _targetTicks = Math.Max(1, (long)(dispatcher.TargetBatchDuration.TotalSeconds * Stopwatch.Frequency));

        // Keep at least two batches per worker in flight, and when the input count is known, spread it
        // over at least four batches per worker so the last batches do not leave workers idle.
        var workers = Math.Max(1, dispatcher.MaxConcurrency);
        var cap = Math.Min(MaxAutomaticBatchSize, Math.Max(1, maxInFlight / (2 * workers)));
        if (knownCount is { } count)
        {
            cap = Math.Min(cap, Math.Max(1, count / (4 * workers)));
        }

        _cap = cap;
    }

    /// <summary>Gets the size for the next batch.</summary>
    public int Next()
    {
        if (_fixed is { } f)
        {
            return f;
        }

        var perItem = Volatile.Read(ref _ticksPerItem);
        if (double.IsNaN(perItem))
        {
            return 1;
        }

        var ideal = perItem <= 0 ? _cap : _targetTicks / perItem;
        var next = (int)Math.Clamp(Math.Min(ideal, _last * 4.0), 1, _cap);
        _last = next;
        return next;
    }

    /// <summary>Feeds the measurement of a completed batch.</summary>
    public void Observe(WorkBatch batch)
    {
        if (_fixed is not null || batch.ExecutedCount == 0)
        {
            return;
        }

        var sample = (double)batch.ExecutionTicks / batch.ExecutedCount;
        var old = Volatile.Read(ref _ticksPerItem);
        Volatile.Write(ref _ticksPerItem, double.IsNaN(old) ? sample : (0.7 * old) + (0.3 * sample));
    }
}
