namespace Concurrency;

/// <summary>
/// Declares that a workload only ever runs on the thread executor, so the portability diagnostics
/// (CONC001 to CONC005) of the Concurrency analyzers are not reported for it.
/// </summary>
/// <remarks>
/// <para>
/// The analyzers report what changes when a workload moves from threads to worker processes: a type a worker
/// cannot create, state that does not travel, shared static state, inputs and results the serializer changes,
/// delegates. Put this attribute on a workload whose author knows it never leaves the application's process,
/// for example because it holds a delegate or a live object on purpose.
/// </para>
/// <para>
/// It is a statement for readers and for the analyzers only: the executors do not read it, and a process-based
/// executor given such a workload still runs it, or refuses it, exactly as without the attribute.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class ThreadsOnlyWorkloadAttribute : Attribute
{
    /// <summary>Gets or sets why the workload only runs on threads, for the reader.</summary>
    public string? Justification { get; set; }
}
