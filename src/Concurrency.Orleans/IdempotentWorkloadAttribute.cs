namespace Concurrency.Orleans;

/// <summary>
/// Marks a workload whose items are safe to run more than once: when the silo that runs an item is lost,
/// <see cref="OrleansExecutor"/> runs the item again on another silo instead of failing it.
/// </summary>
/// <remarks>
/// An item of an idempotent workload may have run, in part or in full, on the lost silo before it is run
/// again: mark only workloads whose <c>Execute</c> has no effect outside its result (pure computations), or
/// whose effects tolerate a repeat. Items of a workload without this attribute fail with
/// <see cref="WorkerCrashedException"/> when their silo is lost. The attribute is read from the workload's
/// class, not inherited by derived classes.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class IdempotentWorkloadAttribute : Attribute
{
}
