using System.Diagnostics;

namespace Concurrency.SharedMemory;

/// <summary>
/// A 64-bit counter in shared memory: every operation is one <see cref="Interlocked"/> instruction on the mapped cell,
/// exact across all the processes that open it.
/// </summary>
/// <remarks>
/// The counter lives in the first element of a <see cref="SharedArray{T}"/> of <see cref="long"/> (a slice of one element
/// is enough, so several counters and locks can share one array). Each process that uses it creates its own
/// <see cref="SharedCounter"/> over the same handle:
/// <code>
/// using var cells = SharedArray&lt;long&gt;.Create(1);
/// // in any process, e.g. inside a workload that received cells.Handle:
/// using var counter = new SharedCounter(handle);
/// counter.Increment();
/// </code>
/// Disposing a <see cref="SharedCounter"/> releases this process's view; the value lives as long as the array.
/// </remarks>
[DebuggerDisplay("{Value}")]
public sealed unsafe class SharedCounter : IDisposable
{
    private readonly SharedArrayView<long> _view;
    private readonly long* _cell;

    /// <summary>Initializes a new instance of the <see cref="SharedCounter"/> class over the first element of <paramref name="cell"/>.</summary>
    /// <param name="cell">A writable handle whose first element holds the counter.</param>
    /// <exception cref="ArgumentException"><paramref name="cell"/> is read-only or empty.</exception>
    /// <exception cref="ObjectDisposedException">The array behind <paramref name="cell"/> has been disposed.</exception>
    public SharedCounter(SharedArrayHandle<long> cell)
    {
        _view = OpenCell(cell, nameof(SharedCounter));
        _cell = _view.Pointer;
    }

    /// <summary>Gets the current value.</summary>
    /// <exception cref="ObjectDisposedException">This counter has been disposed.</exception>
    public long Value => Interlocked.Read(ref *Cell);

    private long* Cell
    {
        get
        {
            ObjectDisposedException.ThrowIf(_view.IsDisposed, this);
            return _cell;
        }
    }

    /// <summary>Adds one.</summary>
    /// <returns>The new value.</returns>
    /// <exception cref="ObjectDisposedException">This counter has been disposed.</exception>
    public long Increment() => Interlocked.Increment(ref *Cell);

    /// <summary>Subtracts one.</summary>
    /// <returns>The new value.</returns>
    /// <exception cref="ObjectDisposedException">This counter has been disposed.</exception>
    public long Decrement() => Interlocked.Decrement(ref *Cell);

    /// <summary>Adds <paramref name="value"/>.</summary>
    /// <param name="value">The amount to add; may be negative.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ObjectDisposedException">This counter has been disposed.</exception>
    public long Add(long value) => Interlocked.Add(ref *Cell, value);

    /// <summary>Sets the value and returns the one it replaced.</summary>
    /// <param name="value">The new value.</param>
    /// <returns>The previous value.</returns>
    /// <exception cref="ObjectDisposedException">This counter has been disposed.</exception>
    public long Exchange(long value) => Interlocked.Exchange(ref *Cell, value);

    /// <summary>Sets the value to <paramref name="value"/> if it equals <paramref name="comparand"/>.</summary>
    /// <param name="value">The new value.</param>
    /// <param name="comparand">The value expected now.</param>
    /// <returns>The value before the call, equal to <paramref name="comparand"/> when the value was set.</returns>
    /// <exception cref="ObjectDisposedException">This counter has been disposed.</exception>
    public long CompareExchange(long value, long comparand) => Interlocked.CompareExchange(ref *Cell, value, comparand);

    /// <summary>Releases this process's view of the cell (the value itself lives as long as the array). Idempotent.</summary>
    public void Dispose() => _view.Dispose();

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static SharedArrayView<long> OpenCell(SharedArrayHandle<long> cell, string user)
    {
        if (cell.IsReadOnly)
        {
            throw new ArgumentException($"A {user} writes its cell, so it needs a writable handle; this one is read-only.", nameof(cell));
        }

        if (cell.Length < 1)
        {
            throw new ArgumentException($"A {user} needs a handle of at least one element; this one is empty.", nameof(cell));
        }

        return cell.Slice(0, 1).Open();
    }
}
