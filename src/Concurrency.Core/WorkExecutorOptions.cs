namespace Concurrency;

/// <summary>The settings every executor shares. Each executor has its own options class derived from this one.</summary>
/// <remarks>
/// An executor takes a snapshot of its options when it is created: later changes to the object have no effect.
/// Options are validated at creation (and, through dependency injection, at start-up); an invalid value
/// fails with a message that names the setting, the value and the allowed range.
/// </remarks>
public abstract class WorkExecutorOptions
{
    /// <summary>Gets or sets the executor's name, used in logs and metrics.</summary>
    /// <value>The default value is <see langword="null"/>: the executor's kind (e.g. <c>Threads</c>) or, for a keyed registration, its key.</value>
    public string? Name { get; set; }

    /// <summary>Gets or sets the greatest number of items that run at the same time.</summary>
    /// <value>
    /// The default value is <see langword="null"/>: <see cref="Environment.ProcessorCount"/>. CPU-bound work gains
    /// nothing from more items at once than there are cores; raise it for work that also waits.
    /// </value>
    public int? MaxConcurrency { get; set; }

    /// <summary>Gets or sets how many batches may wait in the executor's queue before submitters wait for space.</summary>
    /// <value>The default value is 1024: enough to keep workers fed, small enough to bound memory.</value>
    public int QueueCapacity { get; set; } = WorkExecutorDefaults.QueueCapacity;

    /// <summary>Gets or sets how long <see cref="IAsyncDisposable.DisposeAsync"/> lets running items finish before it cancels them.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan ShutdownTimeout { get; set; } = WorkExecutorDefaults.ShutdownTimeout;

    /// <summary>Gets the value of <see cref="MaxConcurrency"/> in effect.</summary>
    internal int EffectiveMaxConcurrency => MaxConcurrency ?? Environment.ProcessorCount;

    /// <summary>Adds a message for every invalid setting to <paramref name="errors"/>.</summary>
    /// <param name="errors">The list to add to.</param>
    internal virtual void Validate(List<string> errors)
    {
        var type = GetType().Name;
        if (MaxConcurrency is <= 0)
        {
            errors.Add($"{type}.MaxConcurrency must be greater than 0, got {MaxConcurrency}. Leave it unset to use the processor count ({Environment.ProcessorCount}).");
        }

        if (QueueCapacity <= 0)
        {
            errors.Add($"{type}.QueueCapacity must be greater than 0, got {QueueCapacity}.");
        }

        if (ShutdownTimeout < TimeSpan.Zero && ShutdownTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{type}.ShutdownTimeout must be zero or positive (or Timeout.InfiniteTimeSpan), got {ShutdownTimeout}.");
        }
        else if (ShutdownTimeout > WorkExecutorDefaults.MaxTimeout)
        {
            errors.Add($"{type}.ShutdownTimeout must be at most {WorkExecutorDefaults.MaxTimeout} (the longest timer .NET supports), got {ShutdownTimeout}. Use Timeout.InfiniteTimeSpan to wait without limit.");
        }
    }

    /// <summary>Validates the options and throws when a setting is invalid.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message lists every invalid setting.</exception>
    internal void ThrowIfInvalid()
    {
        var errors = new List<string>();
        Validate(errors);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), "options");
        }
    }
}

/// <summary>The defaults of <see cref="WorkExecutorOptions"/>.</summary>
internal static class WorkExecutorDefaults
{
    /// <summary>Batches, not items: with automatic batching a batch of tiny items is a few thousand items.</summary>
    public const int QueueCapacity = 1024;

    /// <summary>Long enough for most CPU-bound items to end; a shutdown should not hang a host for minutes.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The longest finite timeout that timers (<see cref="Task.WaitAsync(TimeSpan)"/>, <see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/>) accept: about 49.7 days.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
}
