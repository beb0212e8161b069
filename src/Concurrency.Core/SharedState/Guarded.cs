using System.Diagnostics;

namespace Concurrency;

/// <summary>
/// A value that is reachable only while its lock is held: every access goes through a callback that
/// runs under a private <see cref="Lock"/>. The value cannot be touched without the lock by mistake.
/// </summary>
/// <typeparam name="T">The type of the guarded value, such as a collection or a mutable struct.</typeparam>
/// <remarks>
/// <para>
/// Keep callbacks short and do not let the value (or a part of it that is mutable) escape from them:
/// a reference kept after the callback returns is no longer guarded. Callbacks must not wait for work
/// that needs the same lock. The lock is reentrant, so a callback may call this instance again.
/// </para>
/// <para>
/// This type guards state inside one process. Items that run on an isolating executor work on copies
/// of their inputs; use the shared-memory helpers for state shared between processes.
/// </para>
/// </remarks>
[DebuggerDisplay("Guarded<{typeof(T).Name,nq}>")]
public sealed class Guarded<T>
{
    private readonly Lock _lock = new();
    private T _value;

    /// <summary>Initializes a new instance of the <see cref="Guarded{T}"/> class.</summary>
    /// <param name="value">The initial value.</param>
    public Guarded(T value) => _value = value;

    /// <summary>Runs <paramref name="action"/> on the value under the lock.</summary>
    /// <param name="action">The code that reads or mutates the value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is <see langword="null"/>.</exception>
    public void Use(Action<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        using (_lock.EnterScope())
        {
            action(_value);
        }
    }

    /// <summary>Runs <paramref name="func"/> on the value under the lock and returns what it returns.</summary>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="func">The code that reads or mutates the value.</param>
    /// <returns>The result of <paramref name="func"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is <see langword="null"/>.</exception>
    public TResult Use<TResult>(Func<T, TResult> func)
    {
        ArgumentNullException.ThrowIfNull(func);
        using (_lock.EnterScope())
        {
            return func(_value);
        }
    }

    /// <summary>Runs <paramref name="func"/> on the value and <paramref name="state"/> under the lock, without a closure.</summary>
    /// <typeparam name="TState">The type of the state.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="state">A value passed to <paramref name="func"/>.</param>
    /// <param name="func">The code that reads or mutates the value.</param>
    /// <returns>The result of <paramref name="func"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="func"/> is <see langword="null"/>.</exception>
    public TResult Use<TState, TResult>(TState state, Func<T, TState, TResult> func)
    {
        ArgumentNullException.ThrowIfNull(func);
        using (_lock.EnterScope())
        {
            return func(_value, state);
        }
    }

    /// <summary>Replaces the value, under the lock, with what <paramref name="update"/> computes from it.</summary>
    /// <param name="update">Computes the new value from the current one; suited to immutable values and value types.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    public T Update(Func<T, T> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        using (_lock.EnterScope())
        {
            _value = update(_value);
            return _value;
        }
    }

    /// <summary>Replaces the value, under the lock, with what <paramref name="update"/> computes from it and <paramref name="state"/>.</summary>
    /// <typeparam name="TState">The type of the state.</typeparam>
    /// <param name="state">A value passed to <paramref name="update"/>.</param>
    /// <param name="update">Computes the new value from the current one and the state.</param>
    /// <returns>The new value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="update"/> is <see langword="null"/>.</exception>
    public T Update<TState>(TState state, Func<T, TState, T> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        using (_lock.EnterScope())
        {
            _value = update(_value, state);
            return _value;
        }
    }

    /// <summary>Replaces the value under the lock and returns the value it replaced.</summary>
    /// <param name="value">The new value.</param>
    /// <returns>The previous value.</returns>
    public T Exchange(T value)
    {
        using (_lock.EnterScope())
        {
            var old = _value;
            _value = value;
            return old;
        }
    }
}
