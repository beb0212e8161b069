using System.Diagnostics;
using System.Globalization;
using Concurrency.SharedMemory.Internal;

namespace Concurrency.SharedMemory;

/// <summary>
/// An array of <typeparamref name="T"/> in shared memory, owned by the process that created it: the owner
/// writes it through <see cref="AsSpan()"/> and gives <see cref="Handle"/> to workloads, which open the same
/// memory in whichever process they run, without a copy.
/// </summary>
/// <typeparam name="T">An unmanaged element type (no references), such as <see cref="double"/> or a struct of numbers.</typeparam>
/// <remarks>
/// <para>
/// On Linux the segment is a file in <c>/dev/shm</c> (memory, never a disk), created with mode 0600 and an
/// unguessable name, and mapped by every process that opens a handle to it; on Windows it is a named,
/// page-file backed memory map. The elements start zeroed.
/// </para>
/// <para>
/// <see cref="Dispose"/> removes the segment: no handle can be opened afterwards (<see cref="ObjectDisposedException"/>),
/// while views already open stay valid until they are disposed. An owner that exits without disposing removes its
/// segments at normal exit; the segments of an owner killed outright are reclaimed when a pool next starts.
/// </para>
/// <para>
/// The segment's memory is reserved in full when it is created (on Linux, in <c>/dev/shm</c>): a shared-memory file
/// system too full for it fails <see cref="Create(long)"/> with <see cref="IOException"/>, instead of crashing a process
/// later on its first touch of a page. Each process still maps pages as it first touches them (a page fault per 4 KiB
/// page, microseconds each, against ≈ 30 GB/s to read mapped memory): create large arrays once and reuse them, or pass
/// <c>preFault: true</c> to <see cref="Create(long, bool)"/> to pay that cost at creation rather than in the first workload.
/// </para>
/// <para>Thread safety: all members are thread-safe; the elements are not synchronized (use <see cref="SharedLock"/> or
/// <see cref="Interlocked"/> on shared cells when several writers touch the same elements).</para>
/// </remarks>
[DebuggerDisplay("SharedArray<{typeof(T).Name,nq}>[{Length}]")]
public sealed unsafe class SharedArray<T> : IDisposable
    where T : unmanaged
{
    private readonly MappedSegment _segment;
    private int _disposed;

    private SharedArray(MappedSegment segment, long length, Guid segmentId)
    {
        _segment = segment;
        Length = length;
        Handle = new SharedArrayHandle<T>(segment.Name, segmentId, 0, length, false);
    }

    /// <summary>Gets the number of elements.</summary>
    public long Length { get; }

    /// <summary>Gets a writable handle to the whole array, to pass inside workload inputs (it is serializable and cheap).</summary>
    /// <remarks>Use <see cref="SharedArrayHandle{T}.Slice"/> to give a part, <see cref="SharedArrayHandle{T}.AsReadOnly"/> to forbid writes.</remarks>
    public SharedArrayHandle<T> Handle { get; }

    private static long MaxLength => (long.MaxValue - SegmentHeader.Size) / sizeof(T);

    /// <summary>Creates a zeroed array of <paramref name="length"/> elements in a new shared segment.</summary>
    /// <param name="length">The number of elements; may exceed <see cref="int.MaxValue"/>.</param>
    /// <returns>The owner of the new segment; dispose it to remove the segment.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or too large to address.</exception>
    /// <exception cref="IOException">There is not enough free shared memory (<c>/dev/shm</c>) for the array; its message says how much is free. No file is left behind.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000", Justification = "SharedArray<T>.Create is the documented contract (DESIGN.md).")]
    public static SharedArray<T> Create(long length) => Create(length, preFault: false);

    /// <summary>Creates a zeroed array of <paramref name="length"/> elements in a new shared segment, optionally committing its memory now.</summary>
    /// <param name="length">The number of elements; may exceed <see cref="int.MaxValue"/>.</param>
    /// <param name="preFault">
    /// <see langword="true"/> to touch every page now, so that the first pass of a workload over the array does not pay the
    /// page faults (about 11 µs per 4 KiB page); <see langword="false"/> to commit memory lazily, page by page, as it is touched.
    /// </param>
    /// <returns>The owner of the new segment; dispose it to remove the segment.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or too large to address.</exception>
    /// <exception cref="IOException">There is not enough free shared memory (<c>/dev/shm</c>) for the array; its message says how much is free. No file is left behind.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000", Justification = "SharedArray<T>.Create is the documented contract (DESIGN.md).")]
    public static SharedArray<T> Create(long length, bool preFault)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxLength);

        var segmentId = Guid.NewGuid();
        var segment = SegmentRegistry.CreateOwned(sizeof(T), length, segmentId);
        if (preFault)
        {
            var data = segment.Data;
            var bytes = length * sizeof(T);
            for (long i = 0; i < bytes; i += Environment.SystemPageSize)
            {
                data[i] = 0;
            }
        }

        return new SharedArray<T>(segment, length, segmentId);
    }

    /// <summary>Gets the whole array as a span, for the owner.</summary>
    /// <returns>A span over all <see cref="Length"/> elements; valid until this array is disposed.</returns>
    /// <exception cref="ObjectDisposedException">The array has been disposed.</exception>
    /// <exception cref="InvalidOperationException">
    /// <see cref="Length"/> exceeds <see cref="int.MaxValue"/>, the most a span can cover: use <see cref="AsSpan(long, int)"/>
    /// chunk by chunk, or give workloads slices of <see cref="Handle"/>.
    /// </exception>
    public Span<T> AsSpan()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Length > int.MaxValue)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"The shared array has {Length:N0} elements, more than a span can cover ({int.MaxValue:N0}). Use AsSpan(start, length) chunk by chunk, or Handle.Slice(start, length) for workloads."));
        }

        return new Span<T>(_segment.Data, (int)Length);
    }

    /// <summary>Gets a part of the array as a span, for the owner; the way to reach arrays of more than <see cref="int.MaxValue"/> elements.</summary>
    /// <param name="start">The index of the first element.</param>
    /// <param name="length">The number of elements.</param>
    /// <returns>A span over elements [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>); valid until this array is disposed.</returns>
    /// <exception cref="ObjectDisposedException">The array has been disposed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is not within the array.</exception>
    public Span<T> AsSpan(long start, int length)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        SharedArrayHandle<T>.ThrowIfOutOfRange(start, length, Length);
        return new Span<T>((T*)_segment.Data + start, length);
    }

    /// <summary>
    /// Removes the segment: its handles can no longer be opened, and the owner's spans become invalid. Views that
    /// are open, in this process or another, keep their memory until they are disposed. Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            SegmentRegistry.DisposeOwned(_segment);
        }
    }

    /// <summary>Gets the segment's mapping (for tests and the executor).</summary>
    internal MappedSegment Segment => _segment;
}
