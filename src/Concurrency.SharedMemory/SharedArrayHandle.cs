using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Serialization;
using Concurrency.SharedMemory.Internal;

namespace Concurrency.SharedMemory;

/// <summary>
/// A reference to a range of a <see cref="SharedArray{T}"/>: a few bytes to put inside a workload's input, which the
/// workload turns into a span over the same memory with <see cref="Open"/>, in whichever process it runs.
/// </summary>
/// <typeparam name="T">The element type of the array.</typeparam>
/// <remarks>
/// <para>
/// A handle is a plain value: slicing creates a new one and never touches memory. It serializes with any
/// contractless serializer as its public properties (MessagePack's ContractlessStandardResolver and System.Text.Json
/// both rebuild it through its public constructor).
/// </para>
/// <para>
/// <see cref="Open"/> trusts nothing in the handle: it opens only segments of this library in the shared-memory
/// directory, refuses a segment whose id differs from <see cref="SegmentId"/>, and checks the range against the segment's
/// real length, so a corrupted or forged handle yields an exception, never memory outside the segment. The read-only flag
/// guards against mistakes, not against a hostile process of the same user (which can open the file itself).
/// </para>
/// </remarks>
public readonly record struct SharedArrayHandle<T>
    where T : unmanaged
{
    /// <summary>Initializes a new instance of the <see cref="SharedArrayHandle{T}"/> struct from its serialized properties.</summary>
    /// <param name="segmentName">The segment's name.</param>
    /// <param name="segmentId">The segment's id.</param>
    /// <param name="offset">The index of the first element within the segment.</param>
    /// <param name="length">The number of elements.</param>
    /// <param name="isReadOnly">Whether views of this handle refuse writes.</param>
    /// <remarks>For serializers: obtain handles from <see cref="SharedArray{T}.Handle"/>, <see cref="Slice"/> and <see cref="AsReadOnly"/>.</remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [JsonConstructor]
    public SharedArrayHandle(string segmentName, Guid segmentId, long offset, long length, bool isReadOnly)
    {
        SegmentName = segmentName;
        SegmentId = segmentId;
        Offset = offset;
        Length = length;
        IsReadOnly = isReadOnly;
    }

    /// <summary>Gets the name of the segment (a file name in the shared-memory directory, not a path).</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public string SegmentName { get; }

    /// <summary>Gets the random id of the segment, checked by <see cref="Open"/> against the segment's header.</summary>
    [EditorBrowsable(EditorBrowsableState.Advanced)]
    public Guid SegmentId { get; }

    /// <summary>Gets the index, within the whole array, of this handle's first element.</summary>
    public long Offset { get; }

    /// <summary>Gets the number of elements this handle covers.</summary>
    public long Length { get; }

    /// <summary>Gets a value indicating whether views opened from this handle refuse writes.</summary>
    public bool IsReadOnly { get; }

    /// <summary>Gets a handle to a part of this one.</summary>
    /// <param name="start">The index, relative to this handle, of the first element.</param>
    /// <param name="length">The number of elements.</param>
    /// <returns>A handle to elements [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) of this one, with the same read-only flag.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is not within this handle.</exception>
    public SharedArrayHandle<T> Slice(long start, long length)
    {
        ThrowIfOutOfRange(start, length, Length);
        return new SharedArrayHandle<T>(SegmentName, SegmentId, Offset + start, length, IsReadOnly);
    }

    /// <summary>Gets a handle to the same elements whose views refuse writes (and map the memory read-only).</summary>
    /// <returns>The read-only handle.</returns>
    public SharedArrayHandle<T> AsReadOnly() => new(SegmentName, SegmentId, Offset, Length, true);

    /// <summary>Splits this handle into consecutive handles of at most <paramref name="chunkLength"/> elements, e.g. to spread an array over workers or to view an array of more than <see cref="int.MaxValue"/> elements chunk by chunk.</summary>
    /// <param name="chunkLength">The most elements per chunk; at most <see cref="int.MaxValue"/> so that every chunk can be opened.</param>
    /// <returns>The chunks in order; none when this handle is empty.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkLength"/> is not positive.</exception>
    public IEnumerable<SharedArrayHandle<T>> Chunk(int chunkLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkLength);
        return ChunkIterator(this, chunkLength);

        static IEnumerable<SharedArrayHandle<T>> ChunkIterator(SharedArrayHandle<T> handle, int chunkLength)
        {
            for (long start = 0; start < handle.Length; start += chunkLength)
            {
                yield return handle.Slice(start, Math.Min(chunkLength, handle.Length - start));
            }
        }
    }

    /// <summary>Opens a view over this handle's elements, in the calling process; dispose it when done.</summary>
    /// <returns>
    /// A view. In the owner's process a writable view reuses the owner's mapping; elsewhere the segment is mapped once per
    /// process and shared by all views open on it.
    /// </returns>
    /// <exception cref="ObjectDisposedException">The array has been disposed by its owner (or its owner exited).</exception>
    /// <exception cref="InvalidOperationException">
    /// This handle covers more than <see cref="int.MaxValue"/> elements (use <see cref="Slice"/> or <see cref="Chunk"/> first),
    /// is the default value, or does not describe a segment of this library (a corrupted or forged handle).
    /// </exception>
    public unsafe SharedArrayView<T> Open()
    {
        if (SegmentName is null)
        {
            throw new InvalidOperationException("This SharedArrayHandle<T> is the default value; obtain handles from SharedArray<T>.Handle.");
        }

        if (!Internal.SegmentName.IsValid(SegmentName))
        {
            throw new InvalidOperationException(
                $"'{SegmentName}' is not the name of a shared segment of this library; obtain handles from SharedArray<T>.Handle.");
        }

        if (Length > int.MaxValue)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"The handle covers {Length:N0} elements, more than one view can cover ({int.MaxValue:N0}). Slice it (Slice or Chunk) and open the parts."));
        }

        var segment = SegmentRegistry.Acquire(SegmentName, SegmentId, sizeof(T), Offset, Length, writable: !IsReadOnly);
        return new SharedArrayView<T>(segment, (T*)segment.Data + Offset, (int)Length, IsReadOnly);
    }

    internal static void ThrowIfOutOfRange(long start, long length, long available)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (start > available - length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(length),
                length,
                $"The range [{start}, {start}+{length}) is outside the {available} elements available.");
        }
    }
}
