namespace Concurrency.Advisor.Internal;

/// <summary>What the advisor measured about a workload: the input of the pure reasoning in <see cref="AdvisorReasoning"/>.</summary>
internal sealed record WorkloadMeasurements
{
    /// <summary>Gets the compute time of one item in this process (median run / item count).</summary>
    public TimeSpan ComputePerItem { get; init; }

    /// <summary>Gets the serialized bytes of one item's input plus its result.</summary>
    public long SerializedBytesPerItem { get; init; }

    /// <summary>Gets the time to serialize and deserialize one item's input and result.</summary>
    public TimeSpan SerializationPerItem { get; init; }

    /// <summary>Gets why an input or result cannot be serialized, or <see langword="null"/>.</summary>
    public string? SerializationProblem { get; init; }

    /// <summary>Gets why the workload type cannot be created in a worker process, or <see langword="null"/>.</summary>
    public string? WorkerProblem { get; init; }

    /// <summary>Gets why the workload failed on a sample input, or <see langword="null"/>.</summary>
    public string? ComputeProblem { get; init; }

    /// <summary>Gets a value indicating whether the user said the workload may crash its process.</summary>
    public bool MayCrash { get; init; }

    /// <summary>Gets a value indicating whether the user said an item may hang, ignoring its token.</summary>
    public bool MayHang { get; init; }

    /// <summary>Gets what each executor measured.</summary>
    public IReadOnlyList<ExecutorMeasurement> Executors { get; init; } = [];

    /// <summary>Gets the share of an item's time spent serializing: serialization time / compute time.</summary>
    public double SerializationShare => ComputePerItem > TimeSpan.Zero ? SerializationPerItem / ComputePerItem : 0;
}

/// <summary>One executor's run of the sample inputs.</summary>
/// <param name="Name">The executor's name.</param>
/// <param name="Capabilities">Its capabilities, which name its kind.</param>
/// <param name="Speedup">Sequential time / its time, or <see langword="null"/> when it could not run the workload.</param>
/// <param name="Problem">Why it could not run the workload, or <see langword="null"/>.</param>
internal sealed record ExecutorMeasurement(string Name, ExecutorCapabilities Capabilities, double? Speedup, string? Problem = null)
{
    /// <summary>Gets the executor kind its capabilities name.</summary>
    public string Kind => AdvisorReasoning.KindOf(Capabilities);
}
