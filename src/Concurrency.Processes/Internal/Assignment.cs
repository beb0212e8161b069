using Concurrency.Internal;

namespace Concurrency.Processes.Internal;

/// <summary>A batch waiting for a worker, with how many workers it has already died with.</summary>
internal sealed class QueuedBatch(WorkBatch batch, BatchCodec codec)
{
    public WorkBatch Batch { get; } = batch;

    public BatchCodec Codec { get; } = codec;

    /// <summary>Gets or sets how many times the batch was sent again after its worker died.</summary>
    public int Attempts { get; set; }

    /// <summary>Gets or sets a value indicating whether the batch holds a permit of the queue's capacity.</summary>
    public bool HoldsSpace { get; set; }
}

/// <summary>
/// One sending of (the unsettled part of) a batch to one slot of one worker. Positions are indexes into
/// what was sent; <see cref="Positions"/> maps them to the batch's own indexes.
/// </summary>
internal sealed class Assignment(QueuedBatch source, WorkerProcess worker, int slot, int seq, TimeProvider clock)
{
    public QueuedBatch Source { get; } = source;

    public WorkBatch Batch => Source.Batch;

    public BatchCodec Codec => Source.Codec;

    public WorkerProcess Worker { get; } = worker;

    public int Slot { get; } = slot;

    public int Seq { get; } = seq;

    /// <summary>Gets or sets the batch index of each position sent, or <see langword="null"/> when position = index.</summary>
    public int[]? Positions { get; set; }

    /// <summary>Gets or sets the number of items claimed (then sent).</summary>
    public int Count { get; set; }

    /// <summary>Gets or sets a value indicating whether the items are claimed and the death of the worker is now the reader's to handle (pool lock).</summary>
    public bool Claimed { get; set; }

    /// <summary>Gets or sets a value indicating whether the worker died before the items were claimed: the sender puts them back (pool lock).</summary>
    public bool Orphaned { get; set; }

    /// <summary>Gets or sets a value indicating whether the worker gave items back unstarted (recycling).</summary>
    public bool HasNotRun { get; set; }

    public CancellationTokenRegistration Registration { get; set; }

    private long _cancelRequestedAt;
    private int _sent;
    private int _deliveredUpTo;
    private int _deliveries;

    /// <summary>Gets the callback that forwards the batch's cancellation to the worker.</summary>
    public static Action<object?> OnCanceled { get; } = static state =>
    {
        var assignment = (Assignment)state!;
        if (assignment.RequestCancel())
        {
            assignment.Worker.SendCancel(assignment.Slot, assignment.Seq);
        }
    };

    /// <summary>Gets when cancellation was requested, in timestamps of the pool's <see cref="TimeProvider"/>; 0 if it was not.</summary>
    public long CancelRequestedAt => Volatile.Read(ref _cancelRequestedAt);

    public int IndexAt(int position) => Positions is { } p ? p[position] : position;

    /// <summary>
    /// Gets how far the worker's results have arrived: the end of the furthest Results frame applied. The pool's own
    /// record of the batch's progress, which the worker cannot forge: the next item is the one running.
    /// </summary>
    public int DeliveredUpTo => Volatile.Read(ref _deliveredUpTo);

    /// <summary>Gets a token that changes whenever results of the batch arrive: the supervisor restarts an item's clock on it.</summary>
    public long DeliveryToken => ((long)Seq << 32) | (uint)Volatile.Read(ref _deliveries);

    /// <summary>Records that results for positions up to <paramref name="end"/> (exclusive) arrived.</summary>
    public void RecordDelivery(int end)
    {
        var seen = Volatile.Read(ref _deliveredUpTo);
        while (end > seen && Interlocked.CompareExchange(ref _deliveredUpTo, end, seen) is var was && was != seen)
        {
            seen = was;
        }

        Interlocked.Increment(ref _deliveries);
    }

    /// <summary>Records the cancellation; returns whether the Batch frame is already out (then the caller forwards it).</summary>
    public bool RequestCancel()
    {
        Interlocked.CompareExchange(ref _cancelRequestedAt, Math.Max(1, clock.GetTimestamp()), 0);
        return Volatile.Read(ref _sent) != 0;
    }

    /// <summary>Records that the Batch frame is out; forwards a cancellation that came before.</summary>
    public void MarkSent()
    {
        Interlocked.Exchange(ref _sent, 1);
        if (CancelRequestedAt != 0)
        {
            Worker.SendCancel(Slot, Seq);
        }
    }
}
