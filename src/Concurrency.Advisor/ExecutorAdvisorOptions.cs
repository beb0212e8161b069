using Concurrency.Processes;

namespace Concurrency.Advisor;

/// <summary>Options of <see cref="ExecutorAdvisor"/>: what the advisor cannot measure safely, and how long it measures.</summary>
public sealed class ExecutorAdvisorOptions
{
    /// <summary>Gets or sets a value indicating whether the workload may crash the process that runs it (native code, <see cref="Environment.FailFast(string)"/>, stack overflow).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    /// <remarks>The advisor cannot find this out by itself without crashing the caller: say so here, and it recommends an executor that isolates failures.</remarks>
    public bool WorkloadMayCrash { get; set; }

    /// <summary>Gets or sets a value indicating whether an item may run forever without observing its cancellation token.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool WorkloadMayHang { get; set; }

    /// <summary>Gets or sets how many timed runs each measurement takes (after one warm-up run); the median is used.</summary>
    /// <value>The default value is 3.</value>
    public int MeasurementRuns { get; set; } = 3;

    /// <summary>Gets or sets the serializer whose cost is measured: the one the isolating executors use.</summary>
    /// <value>The default value is <see langword="null"/>: <see cref="MessagePackWorkSerializer"/>, the process pool's default.</value>
    public IWorkSerializer? Serializer { get; set; }

    internal void ThrowIfInvalid()
    {
        if (MeasurementRuns < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MeasurementRuns), MeasurementRuns, $"{nameof(ExecutorAdvisorOptions)}.{nameof(MeasurementRuns)} must be at least 1, got {MeasurementRuns}.");
        }
    }
}
