using System.Runtime.CompilerServices;
using Concurrency.Internal;

namespace Concurrency;

/// <summary>Operations every <see cref="IWorkExecutor"/> offers on top of its interface.</summary>
public static class WorkExecutorExtensions
{
    /// <summary>
    /// Runs the workload over every input and yields how each item ended — a result or the exception that
    /// failed it — instead of stopping at the first failure as <see cref="IWorkExecutor.MapAsync{TInput, TResult}(IWorkload{TInput, TResult}, IEnumerable{TInput}, MapOptions?, CancellationToken)"/> does.
    /// </summary>
    /// <typeparam name="TInput">The type of the inputs.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="executor">The executor.</param>
    /// <param name="workload">The workload to run.</param>
    /// <param name="inputs">The inputs.</param>
    /// <param name="options">Ordering, batching and back-pressure; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the whole map: the enumeration then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>One outcome per input, in input order unless <see cref="MapOptions.Ordered"/> is <see langword="false"/>; <see cref="WorkOutcome{TResult}.Index"/> names the input.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The executor has been disposed.</exception>
    public static IAsyncEnumerable<WorkOutcome<TResult>> MapOutcomesAsync<TInput, TResult>(
        this IWorkExecutor executor,
        IWorkload<TInput, TResult> workload,
        IEnumerable<TInput> inputs,
        MapOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return executor is IBatchDispatcher dispatcher
            ? MapEngine.MapOutcomesAsync(dispatcher, workload, inputs, options, cancellationToken)
            : SubmitEachAsync(executor, workload, ToAsync(inputs ?? throw new ArgumentNullException(nameof(inputs))), options, cancellationToken);
    }

    /// <summary>
    /// Runs the workload over every input of an asynchronous source and yields how each item ended — a
    /// result or the exception that failed it.
    /// </summary>
    /// <typeparam name="TInput">The type of the inputs.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="executor">The executor.</param>
    /// <param name="workload">The workload to run.</param>
    /// <param name="inputs">The inputs; at most <see cref="MapOptions.MaxInFlight"/> are pulled ahead of the consumer.</param>
    /// <param name="options">Ordering, batching and back-pressure; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the whole map: the enumeration then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>One outcome per input, in input order unless <see cref="MapOptions.Ordered"/> is <see langword="false"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The executor has been disposed.</exception>
    public static IAsyncEnumerable<WorkOutcome<TResult>> MapOutcomesAsync<TInput, TResult>(
        this IWorkExecutor executor,
        IWorkload<TInput, TResult> workload,
        IAsyncEnumerable<TInput> inputs,
        MapOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return executor is IBatchDispatcher dispatcher
            ? MapEngine.MapOutcomesAsync(dispatcher, workload, inputs, options, cancellationToken)
            : SubmitEachAsync(executor, workload, inputs ?? throw new ArgumentNullException(nameof(inputs)), options, cancellationToken);
    }

    /// <summary>For executors outside this library: one <c>SubmitAsync</c> per item, a bounded window of them at a time, in input order.</summary>
    private static async IAsyncEnumerable<WorkOutcome<TResult>> SubmitEachAsync<TInput, TResult>(
        IWorkExecutor executor,
        IWorkload<TInput, TResult> workload,
        IAsyncEnumerable<TInput> inputs,
        MapOptions? options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var window = options?.MaxInFlight ?? Math.Max(1, executor.MaxConcurrency * 2);
        var pending = new Queue<(long Index, Task<TResult> Task)>();
        long index = 0;
        await foreach (var input in inputs.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            pending.Enqueue((index++, executor.SubmitAsync(workload, input, cancellationToken)));
            if (pending.Count >= window)
            {
                yield return await SettleAsync(pending.Dequeue(), cancellationToken).ConfigureAwait(false);
            }
        }

        while (pending.Count > 0)
        {
            yield return await SettleAsync(pending.Dequeue(), cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<WorkOutcome<TResult>> SettleAsync<TResult>((long Index, Task<TResult> Task) item, CancellationToken cancellationToken)
    {
        try
        {
            return new(item.Index, await item.Task.ConfigureAwait(false), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Every failure becomes the item's outcome.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new(item.Index, default, ex);
        }
    }

    private static async IAsyncEnumerable<T> ToAsync<T>(IEnumerable<T> source)
    {
        foreach (var item in source)
        {
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
