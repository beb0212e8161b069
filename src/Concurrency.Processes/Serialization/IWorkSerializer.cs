using System.Buffers;

namespace Concurrency.Processes;

/// <summary>
/// Turns workloads, inputs and results into bytes and back, for <see cref="ProcessPoolExecutor"/>.
/// </summary>
/// <remarks>
/// <para>
/// The pool and every worker each create their own instance of the type named by
/// <see cref="ProcessPoolExecutorOptions.Serializer"/> (it needs a public parameterless constructor),
/// so both ends must produce and accept the same bytes without sharing state.
/// </para>
/// <para>
/// Implementations must be thread-safe, and must never create a type named by the data: the only types
/// a worker creates are the ones its parent named (the workload's input and result types). Throw any
/// exception for a value that cannot be serialized; the pool fails that item with a
/// <see cref="System.Runtime.Serialization.SerializationException"/> that names the type.
/// </para>
/// <para>
/// <see cref="Deserialize{T}"/> reads bytes another process wrote, which may be hostile: it must bound how deep it
/// recurses (a stack overflow ends the process and cannot be caught), the sizes it allocates and the hashing of
/// the collections it builds, and report anything else as an exception (the item then fails, not the pool).
/// </para>
/// </remarks>
public interface IWorkSerializer
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="destination"/>.</summary>
    /// <typeparam name="T">The declared type of the value.</typeparam>
    /// <param name="destination">Where to write; a reused buffer.</param>
    /// <param name="value">The value.</param>
    void Serialize<T>(IBufferWriter<byte> destination, T value);

    /// <summary>Reads a value written by <see cref="Serialize{T}"/>.</summary>
    /// <typeparam name="T">The declared type of the value.</typeparam>
    /// <param name="source">The bytes; valid only during the call.</param>
    /// <returns>The value.</returns>
    T Deserialize<T>(ReadOnlyMemory<byte> source);
}
