using System.Diagnostics;

namespace Concurrency;

/// <summary>
/// A reference that is read and replaced atomically, with compare-and-update: the building block for
/// lock-free copy-on-write state (an immutable list or record replaced as a whole).
/// </summary>
/// <typeparam name="T">The type of the referenced object; treat it as immutable.</typeparam>
/// <remarks>
/// <see cref="Update(Func{T, T})"/> retries its callback until no other thread replaced the value in
/// between, so the callback may run more than once and must have no side effects.
/// </remarks>
[DebuggerDisplay("{Value}")]
public sealed class AtomicReference<T>
    where T : class?
{
    private T _value;

    /// <summary>Initializes a new instance of the <see cref="AtomicReference{T}"/> class.</summary>
    /// <param name="value">The initial value.</param>
    public AtomicReference(T value) => _value = value;

    /// <summary>Gets or sets the current value (a volatile read or write).</summary>
    public T Value
    {
        get => Volatile.Read(ref _value);
        set => Volatile.Write(ref _value, value);
    }

    /// <summary>Sets the value and returns the one it replaced.</summary>
    /// <param name="value">The new value.</param>
    /// <returns>The previous value.</returns>
    public T Exchange(T value) => Interlocked.Exchange(ref _value, value);

    /// <summary>Sets the value to <paramref name="value"/> if it is (by reference) <paramref name="comparand"/>.</summary>
    /// <param name="value">The new value.</param>
    /// <param name="comparand">The value expected now.</param>
    /// <returns><see langword="true"/> if the value was set.</returns>
    public bool CompareAndSet(T comparand, T value) => ReferenceEquals(Interlocked.CompareExchange(ref _value, value, comparand), comparand);

    /// <summary>Replaces the value with what <paramref name="update"/> computes from it, retrying if another thread replaced it meanwhile.</summary>
    /// <param name="update">Computes the new value from the current one. May run more than once; must not have side effects.</param>
    /// <returns>The value that was stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    public T Update(Func<T, T> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var current = Volatile.Read(ref _value);
        while (true)
        {
            var next = update(current);
            var seen = Interlocked.CompareExchange(ref _value, next, current);
            if (ReferenceEquals(seen, current))
            {
                return next;
            }

            current = seen;
        }
    }

    /// <summary>Replaces the value with what <paramref name="update"/> computes from it and <paramref name="state"/>, retrying if another thread replaced it meanwhile.</summary>
    /// <typeparam name="TState">The type of the state.</typeparam>
    /// <param name="state">A value passed to <paramref name="update"/>.</param>
    /// <param name="update">Computes the new value. May run more than once; must not have side effects.</param>
    /// <returns>The value that was stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    public T Update<TState>(TState state, Func<T, TState, T> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var current = Volatile.Read(ref _value);
        while (true)
        {
            var next = update(current, state);
            var seen = Interlocked.CompareExchange(ref _value, next, current);
            if (ReferenceEquals(seen, current))
            {
                return next;
            }

            current = seen;
        }
    }
}
