using System.Diagnostics;

namespace Concurrency;

/// <summary>A 64-bit counter whose every operation is one <see cref="Interlocked"/> instruction.</summary>
/// <remarks>
/// Exact and linearizable: every read sees every increment that completed before it. Under heavy
/// contention from many cores all writers fight over one cache line; when reads are rare, prefer
/// <see cref="StripedCounter"/>.
/// </remarks>
[DebuggerDisplay("{Value}")]
public sealed class AtomicCounter
{
    private long _value;

    /// <summary>Initializes a new instance of the <see cref="AtomicCounter"/> class.</summary>
    /// <param name="initialValue">The initial value.</param>
    public AtomicCounter(long initialValue = 0) => _value = initialValue;

    /// <summary>Gets the current value.</summary>
    public long Value => Interlocked.Read(ref _value);

    /// <summary>Adds one.</summary>
    /// <returns>The new value.</returns>
    public long Increment() => Interlocked.Increment(ref _value);

    /// <summary>Subtracts one.</summary>
    /// <returns>The new value.</returns>
    public long Decrement() => Interlocked.Decrement(ref _value);

    /// <summary>Adds <paramref name="value"/>.</summary>
    /// <param name="value">The amount to add; may be negative.</param>
    /// <returns>The new value.</returns>
    public long Add(long value) => Interlocked.Add(ref _value, value);

    /// <summary>Sets the value and returns the one it replaced.</summary>
    /// <param name="value">The new value.</param>
    /// <returns>The previous value.</returns>
    public long Exchange(long value) => Interlocked.Exchange(ref _value, value);

    /// <summary>Sets the value to <paramref name="value"/> if it equals <paramref name="comparand"/>.</summary>
    /// <param name="value">The new value.</param>
    /// <param name="comparand">The value expected now.</param>
    /// <returns>The value before the call, equal to <paramref name="comparand"/> when the value was set.</returns>
    public long CompareExchange(long value, long comparand) => Interlocked.CompareExchange(ref _value, value, comparand);

    /// <summary>Sets the value to zero and returns the one it replaced.</summary>
    /// <returns>The previous value.</returns>
    public long Reset() => Exchange(0);

    /// <inheritdoc/>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
