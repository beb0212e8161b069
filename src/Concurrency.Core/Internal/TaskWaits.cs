namespace Concurrency.Internal;

/// <summary>Waiting with a bound, as shutdown paths do.</summary>
internal static class TaskWaits
{
    /// <summary>Waits for <paramref name="task"/> at most <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: no bound).</summary>
    /// <returns><see langword="true"/> if the task completed in time.</returns>
    public static async Task<bool> WaitAsync(Task task, TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            await task.ConfigureAwait(false);
            return true;
        }

        try
        {
            await task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
