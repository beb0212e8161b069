using Orleans;

namespace Concurrency.Orleans;

/// <summary>Options of <see cref="OrleansExecutor"/>.</summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Setting</term><description>Default</description></listheader>
/// <item><term><see cref="WorkExecutorOptions.MaxConcurrency"/></term><description>The client's processor count. Set it to the cores of the cluster's silos: it is the number of worker slots (grain activations) spread over them.</description></item>
/// <item><term><see cref="WorkExecutorOptions.QueueCapacity"/></term><description>1024 batches.</description></item>
/// <item><term><see cref="WorkExecutorOptions.ShutdownTimeout"/></term><description>30 seconds.</description></item>
/// <item><term><see cref="MaxAttempts"/></term><description>3.</description></item>
/// </list>
/// </remarks>
public sealed class OrleansExecutorOptions : WorkExecutorOptions
{
    /// <summary>Gets or sets how many times a batch of an <see cref="IdempotentWorkloadAttribute">idempotent</see> workload is tried when the silo that runs it is lost.</summary>
    /// <value>
    /// The default value is 3: one silo lost, and one more while the cluster settles. Items of a workload
    /// not marked idempotent are never retried; they fail with <see cref="WorkerCrashedException"/>.
    /// </value>
    public int MaxAttempts { get; set; } = OrleansExecutorDefaults.MaxAttempts;

    /// <summary>Gets or sets the grain factory (the cluster client) set by dependency injection; <see langword="null"/> when the executor is created by hand.</summary>
    internal IGrainFactory? GrainFactory { get; set; }

    /// <inheritdoc/>
    internal override void Validate(List<string> errors)
    {
        base.Validate(errors);
        if (MaxAttempts <= 0)
        {
            errors.Add($"{nameof(OrleansExecutorOptions)}.{nameof(MaxAttempts)} must be greater than 0, got {MaxAttempts}. Use 1 for no retry.");
        }
    }
}

/// <summary>The defaults of <see cref="OrleansExecutorOptions"/>.</summary>
internal static class OrleansExecutorDefaults
{
    /// <summary>One lost silo, plus one more lost while the membership settles.</summary>
    public const int MaxAttempts = 3;
}
