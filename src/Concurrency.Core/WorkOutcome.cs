using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Concurrency;

/// <summary>
/// How one item of <see cref="WorkExecutorExtensions.MapOutcomesAsync{TInput, TResult}(IWorkExecutor, IWorkload{TInput, TResult}, IEnumerable{TInput}, MapOptions?, CancellationToken)"/>
/// ended: with a result, or with the exception that failed it (a <see cref="WorkloadException"/>,
/// <see cref="WorkerCrashedException"/>, <see cref="WorkTimeoutException"/>, ...).
/// </summary>
/// <typeparam name="TResult">The type of the result.</typeparam>
[DebuggerDisplay("#{Index}: {Succeeded ? (object?)Result : Exception}")]
public readonly struct WorkOutcome<TResult> : IEquatable<WorkOutcome<TResult>>
{
    internal WorkOutcome(long index, TResult? result, Exception? exception)
    {
        Index = index;
        Result = result;
        Exception = exception;
    }

    /// <summary>Gets the position of the item's input in the source, counted from 0.</summary>
    public long Index { get; }

    /// <summary>Gets the item's result, or the default value when it failed.</summary>
    public TResult? Result { get; }

    /// <summary>Gets the exception that failed the item, or <see langword="null"/> when it succeeded.</summary>
    public Exception? Exception { get; }

    /// <summary>Gets a value indicating whether the item ended with a result.</summary>
    public bool Succeeded => Exception is null;

    /// <summary>Determines whether two outcomes are equal.</summary>
    /// <param name="left">The first outcome.</param>
    /// <param name="right">The second outcome.</param>
    /// <returns><see langword="true"/> if they are equal.</returns>
    public static bool operator ==(WorkOutcome<TResult> left, WorkOutcome<TResult> right) => left.Equals(right);

    /// <summary>Determines whether two outcomes differ.</summary>
    /// <param name="left">The first outcome.</param>
    /// <param name="right">The second outcome.</param>
    /// <returns><see langword="true"/> if they differ.</returns>
    public static bool operator !=(WorkOutcome<TResult> left, WorkOutcome<TResult> right) => !left.Equals(right);

    /// <summary>Returns the result, or throws the exception that failed the item.</summary>
    /// <returns>The result.</returns>
    public TResult GetResultOrThrow()
    {
        if (Exception is not null)
        {
            ExceptionDispatchInfo.Throw(Exception);
        }

        return Result!;
    }

    /// <inheritdoc/>
    public bool Equals(WorkOutcome<TResult> other) =>
        Index == other.Index && EqualityComparer<TResult?>.Default.Equals(Result, other.Result) && Equals(Exception, other.Exception);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is WorkOutcome<TResult> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Index, Result, Exception);
}
