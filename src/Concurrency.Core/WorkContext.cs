using System.Diagnostics;

namespace Concurrency;

/// <summary>
/// Describes the run of one work item: the worker that runs it and the token that asks it to stop.
/// An executor gives a new context to every <see cref="IWorkload{TInput, TResult}.Execute"/> call.
/// </summary>
[DebuggerDisplay("WorkerId = {WorkerId}, Cancelled = {CancellationToken.IsCancellationRequested}")]
public sealed class WorkContext
{
    /// <summary>Initializes a new instance of the <see cref="WorkContext"/> class.</summary>
    /// <param name="workerId">The stable id of the worker that runs the item.</param>
    /// <param name="cancellationToken">The token that asks the item to stop.</param>
    /// <remarks>Executors create contexts; the public constructor lets a workload be unit-tested without one.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="workerId"/> is negative.</exception>
    public WorkContext(int workerId, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workerId);
        WorkerId = workerId;
        CancellationToken = cancellationToken;
    }

    /// <summary>
    /// Gets the token that is cancelled when the caller cancels the item, when the map that owns it
    /// is abandoned, when its timeout passes, or when the executor shuts down.
    /// </summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// Gets the stable id of the worker that runs the item: a thread slot of a
    /// thread executor, or a worker process of a process executor. Ids are unique within one executor
    /// and a replaced worker gets a new id.
    /// </summary>
    public int WorkerId { get; }
}
