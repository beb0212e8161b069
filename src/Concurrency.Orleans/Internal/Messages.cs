using Orleans;
using Orleans.Runtime;

namespace Concurrency.Orleans.Internal;

/// <summary>One batch of one workload, as it travels to a worker grain. Items are the library's own payloads.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Concurrency.Orleans.WorkRequest")]
internal sealed class WorkRequest
{
    /// <summary>Gets the workload type's full name (namespace and name, no assembly).</summary>
    [Id(0)]
    public required string WorkloadType { get; init; }

    /// <summary>Gets the simple name of the workload type's assembly.</summary>
    [Id(1)]
    public required string WorkloadAssembly { get; init; }

    /// <summary>Gets the full names of the workload's TInput and TResult, to pick the right IWorkload interface.</summary>
    [Id(2)]
    public required string InputType { get; init; }

    /// <summary>Gets the full name of TResult.</summary>
    [Id(3)]
    public required string ResultType { get; init; }

    /// <summary>Gets the serialized workload (its public state).</summary>
    [Id(4)]
    public required byte[] Workload { get; init; }

    /// <summary>Gets the serialized TInput[].</summary>
    [Id(5)]
    public required byte[] Inputs { get; init; }

    /// <summary>Gets the <see cref="WorkContext.WorkerId"/> the items run with.</summary>
    [Id(6)]
    public int WorkerId { get; init; }

    /// <summary>Returns a copy that runs with <paramref name="workerId"/> (a retry on a new activation).</summary>
    public WorkRequest WithWorkerId(int workerId) => new()
    {
        WorkloadType = WorkloadType,
        WorkloadAssembly = WorkloadAssembly,
        InputType = InputType,
        ResultType = ResultType,
        Workload = Workload,
        Inputs = Inputs,
        WorkerId = workerId,
    };
}

/// <summary>How one item of a batch ended on the silo.</summary>
internal enum ItemStatus : byte
{
    /// <summary>A result is in <see cref="WorkResponse.Results"/>.</summary>
    Succeeded = 0,

    /// <summary>The workload threw; see <see cref="WorkResponse.Errors"/>.</summary>
    Failed = 1,

    /// <summary>Cancelled before or while it ran.</summary>
    Canceled = 2,
}

/// <summary>A workload exception, as text.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Concurrency.Orleans.ItemError")]
internal sealed class ItemError
{
    /// <summary>Gets the item's index in the request.</summary>
    [Id(0)]
    public int Index { get; init; }

    /// <summary>Gets the message, formatted as every executor formats it.</summary>
    [Id(1)]
    public required string Message { get; init; }

    /// <summary>Gets the original exception's type name.</summary>
    [Id(2)]
    public required string ExceptionType { get; init; }

    /// <summary>Gets the original stack trace.</summary>
    [Id(3)]
    public string? StackTrace { get; init; }
}

/// <summary>What a worker grain sends back for a <see cref="WorkRequest"/>.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Concurrency.Orleans.WorkResponse")]
internal sealed class WorkResponse
{
    /// <summary>Gets the status of every item of the request.</summary>
    [Id(0)]
    public ItemStatus[] Statuses { get; init; } = [];

    /// <summary>Gets the serialized TResult[] (default values where an item did not succeed).</summary>
    [Id(1)]
    public byte[]? Results { get; init; }

    /// <summary>Gets the exceptions of the failed items.</summary>
    [Id(2)]
    public ItemError[] Errors { get; init; } = [];

    /// <summary>Gets a reason the whole batch could not run (workload type not loadable, bad payload), or <see langword="null"/>.</summary>
    [Id(3)]
    public string? BatchFailure { get; init; }

    /// <summary>Gets the time spent running items, in <see cref="System.Diagnostics.Stopwatch"/> ticks of the silo.</summary>
    [Id(4)]
    public TimeSpan ExecutionTime { get; init; }

    /// <summary>Gets how many items ran.</summary>
    [Id(5)]
    public int ExecutedCount { get; init; }

    /// <summary>Gets the silo that ran the batch.</summary>
    [Id(6)]
    public SiloAddress? Silo { get; init; }
}

/// <summary>What a worker grain answers to a ping.</summary>
[GenerateSerializer]
[Immutable]
[Alias("Concurrency.Orleans.WorkerStatus")]
internal sealed class WorkerStatus
{
    /// <summary>Gets the silo of the activation.</summary>
    [Id(0)]
    public SiloAddress? Silo { get; init; }

    /// <summary>Gets a value indicating whether the activation is running a batch.</summary>
    [Id(1)]
    public bool Busy { get; init; }
}
