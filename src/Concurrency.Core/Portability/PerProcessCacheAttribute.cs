namespace Concurrency;

/// <summary>
/// Declares that a static field or property is a cache: each process may hold its own copy of it, and a worker
/// process that starts with it empty computes the same results, so diagnostic CONC003 of the Concurrency
/// analyzers does not report it.
/// </summary>
/// <remarks>
/// <para>
/// On the thread executor every item shares one copy of static state; in worker processes each worker has its
/// own, which starts as the type's static initializer leaves it. That is harmless for a cache (a memo of pure
/// computations, a pool of buffers) and changes results for anything else (a counter, a registry filled by the
/// application at startup). The attribute tells the analyzer which of the two the author means.
/// </para>
/// <para>
/// The attribute also states that the member is safe to use from several threads at once (for example a
/// <see cref="System.Collections.Concurrent.ConcurrentDictionary{TKey, TValue}"/> or a <see cref="Lazy{T}"/>):
/// the thread executor runs items concurrently. The analyzer does not check that part.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class PerProcessCacheAttribute : Attribute
{
}
