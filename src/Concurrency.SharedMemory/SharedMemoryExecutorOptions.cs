using Concurrency.Processes;

namespace Concurrency.SharedMemory;

/// <summary>Options of <see cref="SharedMemoryExecutor"/>: every setting of the process pool, whose promises it keeps, and how its queues wait.</summary>
/// <remarks>See <see cref="ProcessPoolExecutorOptions"/> for the pool's settings and their defaults.</remarks>
public sealed class SharedMemoryExecutorOptions : ProcessPoolExecutorOptions
{
    /// <summary>The longest <see cref="SpinDuration"/> accepted.</summary>
    private static readonly TimeSpan MaxSpinDuration = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Gets or sets how long a side of a worker's queues that finds nothing to read (the worker waiting for work, the
    /// pool waiting for results) keeps polling before it sleeps on a futex.
    /// </summary>
    /// <value>The default value is 50 microseconds.</value>
    /// <remarks>
    /// A poll yields the core to any other runnable thread, so it does not hold up the other side or the caller's
    /// continuation; it only keeps an idle core awake. A reply that arrives while the waiter polls costs no system call
    /// and no wake-up, which is what makes a round trip cheaper than a pipe's. <see cref="TimeSpan.Zero"/> sleeps at
    /// once: the least CPU while idle, and every message then pays a futex wake-up. At most 10 milliseconds.
    /// </remarks>
    public TimeSpan SpinDuration { get; set; } = TimeSpan.FromMicroseconds(50);

    internal override void Validate(List<string> errors)
    {
        base.Validate(errors);
        if (SpinDuration < TimeSpan.Zero || SpinDuration > MaxSpinDuration)
        {
            errors.Add($"{nameof(SharedMemoryExecutorOptions)}.{nameof(SpinDuration)} must be between zero and {MaxSpinDuration.TotalMilliseconds} ms, got {SpinDuration}.");
        }
    }
}
