namespace Concurrency.Internal;

/// <summary>
/// Runs an executor's shutdown once, for whoever disposes it first; every caller, concurrent or later, gets a task for
/// that same run, which completes when the shutdown has.
/// </summary>
/// <remarks>
/// The task exists before the shutdown starts, so a second caller that arrives while the first is still inside the
/// synchronous part of the shutdown waits for it too (a field assigned after the shutdown returned its task would still
/// be empty then).
/// </remarks>
internal sealed class ShutdownOnce
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;

    /// <summary>Gets a value indicating whether the shutdown has been asked for.</summary>
    public bool IsStarted => Volatile.Read(ref _started) != 0;

    /// <summary>Starts <paramref name="shutdown"/> if nobody has yet; returns the task of the one run.</summary>
    public ValueTask RunAsync(Func<Task> shutdown)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = CompleteAsync(shutdown);
        }

        return new ValueTask(_done.Task);
    }

    private async Task CompleteAsync(Func<Task> shutdown)
    {
        try
        {
            await shutdown().ConfigureAwait(false);
            _done.TrySetResult();
        }
#pragma warning disable CA1031 // The failure belongs to every caller of DisposeAsync: it is handed to them, not lost.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _done.TrySetException(ex);
        }
    }
}
