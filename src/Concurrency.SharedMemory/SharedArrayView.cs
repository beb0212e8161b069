using System.Diagnostics;
using Concurrency.SharedMemory.Internal;

namespace Concurrency.SharedMemory;

/// <summary>An open view of a <see cref="SharedArrayHandle{T}"/>: its elements as a span, in the calling process.</summary>
/// <typeparam name="T">The element type of the array.</typeparam>
/// <remarks>
/// Dispose the view when done: the mapping is shared by all views of the segment in this process and released with
/// the last one. A view stays valid after the owner disposes the array (the memory lives until the last view goes);
/// spans obtained from it must not be used after the view is disposed.
/// </remarks>
[DebuggerDisplay("SharedArrayView<{typeof(T).Name,nq}>[{Length}], read-only: {IsReadOnly}")]
public sealed unsafe class SharedArrayView<T> : IDisposable
    where T : unmanaged
{
    private readonly MappedSegment _segment;
    private readonly T* _start;
    private int _disposed;

    internal SharedArrayView(MappedSegment segment, T* start, int length, bool isReadOnly)
    {
        _segment = segment;
        _start = start;
        Length = length;
        IsReadOnly = isReadOnly;
    }

    /// <summary>Gets the number of elements.</summary>
    public int Length { get; }

    /// <summary>Gets a value indicating whether the view was opened from a read-only handle.</summary>
    public bool IsReadOnly { get; }

    /// <summary>Gets the elements, writable.</summary>
    /// <exception cref="InvalidOperationException">The view was opened from a read-only handle; use <see cref="ReadOnlySpan"/>.</exception>
    /// <exception cref="ObjectDisposedException">The view has been disposed.</exception>
    public Span<T> Span
    {
        get
        {
            ThrowIfDisposed();
            if (IsReadOnly)
            {
                throw new InvalidOperationException("The view was opened from a read-only handle and cannot be written; use ReadOnlySpan.");
            }

            return new Span<T>(_start, Length);
        }
    }

    /// <summary>Gets the elements, read-only.</summary>
    /// <exception cref="ObjectDisposedException">The view has been disposed.</exception>
    public ReadOnlySpan<T> ReadOnlySpan
    {
        get
        {
            ThrowIfDisposed();
            return new ReadOnlySpan<T>(_start, Length);
        }
    }

    /// <summary>Gets a pointer to the first element (for the cross-process atomics).</summary>
    internal T* Pointer
    {
        get
        {
            ThrowIfDisposed();
            return _start;
        }
    }

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Releases this view's hold on the mapping. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            SegmentRegistry.Release(_segment);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);
}
