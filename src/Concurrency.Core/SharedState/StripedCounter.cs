using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Concurrency;

/// <summary>
/// A 64-bit counter built for many writers: every thread adds to a cell of its own, padded to its own
/// cache lines, and a read sums the cells. Writers never contend and need no atomic instruction, so it
/// scales where a single <see cref="AtomicCounter"/> makes every core wait for one cache line.
/// </summary>
/// <remarks>
/// <para>
/// This is Java's <c>LongAdder</c> idea, which .NET does not have, taken one step further: a cell has exactly
/// one writer (the thread that owns it), so an increment is a plain store — no <see cref="Interlocked"/>
/// instruction, no retry. Every increment is counted exactly. A read sums the cells one by one: it includes
/// every increment that completed before the read began and may include some that run during it; when no
/// thread writes, it is exact.
/// </para>
/// <para>
/// The price: one 128-byte cell per thread that ever wrote to the counter (kept after the thread ends, so its
/// counts stay), and reads that cost one load per cell. Prefer <see cref="AtomicCounter"/> when reads are as
/// frequent as writes or when a linearizable value is needed.
/// </para>
/// </remarks>
[DebuggerDisplay("{Value}")]
public sealed class StripedCounter
{
    // The cell this thread used last, for the counter it used it with: one thread-static read on the fast path.
    [ThreadStatic]
    private static StripedCounter? t_lastCounter;

    [ThreadStatic]
    private static Cell? t_lastCell;

    [ThreadStatic]
    private static System.Runtime.CompilerServices.ConditionalWeakTable<StripedCounter, Cell>? t_cells;

    private readonly Lock _lock = new();
    private Cell[] _cells = [];

    /// <summary>Gets the sum of the cells.</summary>
    public long Value
    {
        get
        {
            long sum = 0;
            foreach (var cell in Volatile.Read(ref _cells))
            {
                sum += Volatile.Read(ref cell.Value) - Volatile.Read(ref cell.Base);
            }

            return sum;
        }
    }

    /// <summary>Adds one.</summary>
    public void Increment() => Add(1);

    /// <summary>Subtracts one.</summary>
    public void Decrement() => Add(-1);

    /// <summary>Adds <paramref name="value"/>.</summary>
    /// <param name="value">The amount to add; may be negative.</param>
    public void Add(long value)
    {
        var cell = ReferenceEquals(t_lastCounter, this) ? t_lastCell! : CellOfThisThread();

        // Only this thread writes Value: a plain read-modify-write, published with a release store.
        Volatile.Write(ref cell.Value, cell.Value + value);
    }

    /// <summary>Sets the counter to zero and returns the sum it held.</summary>
    /// <returns>
    /// The sum as each cell was reset. Increments that run during the reset land either in the result or in the
    /// counter, never in both and never in neither.
    /// </returns>
    public long Reset()
    {
        long sum = 0;
        lock (_lock)
        {
            // Writers only move Value; Reset only moves Base (under the lock): one read of Value per cell
            // splits the increments exactly between the result and what remains.
            foreach (var cell in _cells)
            {
                var value = Volatile.Read(ref cell.Value);
                sum += value - cell.Base;
                Volatile.Write(ref cell.Base, value);
            }
        }

        return sum;
    }

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private Cell CellOfThisThread()
    {
        // Weak: a thread that touched a counter does not keep it alive.
        var cells = t_cells ??= new();
        if (!cells.TryGetValue(this, out var cell))
        {
            cell = new Cell();
            lock (_lock)
            {
                Volatile.Write(ref _cells, [.. _cells, cell]);
            }

            cells.Add(this, cell);
        }

        t_lastCounter = this;
        t_lastCell = cell;
        return cell;
    }

    /// <summary>One thread's cell, alone on its 128 bytes (two cache lines, against the adjacent-line prefetcher).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private sealed class Cell
    {
        /// <summary>The sum of this thread's additions; written only by the owning thread.</summary>
        [FieldOffset(56)]
        public long Value;

        /// <summary>The part of <see cref="Value"/> already returned by <see cref="Reset"/>; written only under the counter's lock.</summary>
        [FieldOffset(64)]
        public long Base;
    }
}
