using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Concurrency;

/// <summary>
/// A 64-bit counter built for many writers: each core adds to its own cache-line-padded cell, and a
/// read sums the cells. Increments from different cores do not contend, so it scales where a single
/// <see cref="AtomicCounter"/> makes every core wait for one cache line.
/// </summary>
/// <remarks>
/// <para>
/// Every increment is counted exactly (each cell is updated with <see cref="Interlocked"/>, since two
/// threads may share a core's cell). A read is a sum taken cell by cell: it includes every increment
/// that completed before the read began, and may include some that run during it. When no thread writes,
/// the sum is exact. This is Java's <c>LongAdder</c>, which .NET does not have.
/// </para>
/// <para>The price is memory (one 128-byte cell per core, to keep cells off each other's cache lines and their prefetched neighbours) and slower reads.</para>
/// </remarks>
[DebuggerDisplay("{Value}")]
public sealed class StripedCounter
{
    private readonly Cell[] _cells;
    private readonly int _mask;

    /// <summary>Initializes a new instance of the <see cref="StripedCounter"/> class with one cell per processor.</summary>
    public StripedCounter()
    {
        var count = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Environment.ProcessorCount));
        _cells = new Cell[count];
        _mask = count - 1;
    }

    /// <summary>Gets the sum of the cells.</summary>
    public long Value
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < _cells.Length; i++)
            {
                sum += Volatile.Read(ref _cells[i].Value);
            }

            return sum;
        }
    }

    /// <summary>Adds one.</summary>
    public void Increment() => Interlocked.Increment(ref _cells[Thread.GetCurrentProcessorId() & _mask].Value);

    /// <summary>Subtracts one.</summary>
    public void Decrement() => Interlocked.Decrement(ref _cells[Thread.GetCurrentProcessorId() & _mask].Value);

    /// <summary>Adds <paramref name="value"/>.</summary>
    /// <param name="value">The amount to add; may be negative.</param>
    public void Add(long value) => Interlocked.Add(ref _cells[Thread.GetCurrentProcessorId() & _mask].Value, value);

    /// <summary>Sets every cell to zero and returns the sum they held.</summary>
    /// <returns>The sum of the cells as each was reset. Increments that run during the reset land either in the result or in the counter, never in neither.</returns>
    public long Reset()
    {
        long sum = 0;
        for (var i = 0; i < _cells.Length; i++)
        {
            sum += Interlocked.Exchange(ref _cells[i].Value, 0);
        }

        return sum;
    }

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One counter cell, alone on its 128 bytes (two cache lines, against the adjacent-line prefetcher).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Cell
    {
        [FieldOffset(64)]
        public long Value;
    }
}
