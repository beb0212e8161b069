namespace Concurrency;

/// <summary>
/// A unit of CPU-heavy work, written once and run by any <see cref="IWorkExecutor"/>.
/// </summary>
/// <typeparam name="TInput">The type of one work item's input.</typeparam>
/// <typeparam name="TResult">The type of one work item's result.</typeparam>
/// <remarks>
/// <para>
/// An executor may call <see cref="Execute"/> concurrently from several threads, and an isolating
/// executor calls it on a copy of the workload in another process. Keep the workload free of
/// mutable state, or guard that state (see <see cref="Guarded{T}"/>, <see cref="AtomicCounter"/>).
/// </para>
/// <para>
/// To run in a worker process, a workload must be a public, non-generic-open class with a public
/// parameterless constructor, defined in the application's own assemblies; its public settable
/// properties travel with it, as do the input and the result.
/// </para>
/// </remarks>
public interface IWorkload<TInput, TResult>
{
    /// <summary>Runs one work item.</summary>
    /// <param name="input">The item's input.</param>
    /// <param name="context">
    /// Where and under which cancellation the item runs. Long-running code should observe
    /// <see cref="WorkContext.CancellationToken"/>.
    /// </param>
    /// <returns>The item's result.</returns>
    TResult Execute(TInput input, WorkContext context);
}
