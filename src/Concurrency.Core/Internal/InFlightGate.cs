namespace Concurrency.Internal;

/// <summary>
/// Counts the inputs a map may still pull ahead of its consumer. The producer takes one permit per
/// input; the consumer gives one back per result it hands out. Lock-free on the common path: the
/// lock is only taken to park or wake the producer.
/// </summary>
internal sealed class InFlightGate
{
    private readonly Lock _lock = new();
    private int _available;
    private TaskCompletionSource? _waiter;

    public InFlightGate(int permits) => _available = permits;

    /// <summary>Gets the permits available now.</summary>
    public int Available => Volatile.Read(ref _available);

    public bool TryTake()
    {
        var current = Volatile.Read(ref _available);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref _available, current - 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    /// <summary>Completes when a permit may be available. Only one waiter (the producer) at a time.</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            // Exchange is a full fence: either Release's read of _waiter sees this waiter, or the
            // re-read of _available below sees Release's increment.
            _ = Interlocked.Exchange(ref _waiter, waiter);
            if (Volatile.Read(ref _available) > 0)
            {
                _waiter = null;
                return Task.CompletedTask;
            }
        }

        return waiter.Task.WaitAsync(cancellationToken);
    }

    public void Release(int permits)
    {
        _ = Interlocked.Add(ref _available, permits);
        if (Volatile.Read(ref _waiter) is not null)
        {
            TaskCompletionSource? waiter;
            lock (_lock)
            {
                waiter = _waiter;
                _waiter = null;
            }

            waiter?.TrySetResult();
        }
    }
}
