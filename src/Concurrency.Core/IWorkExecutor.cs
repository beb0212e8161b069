namespace Concurrency;

/// <summary>
/// Runs <see cref="IWorkload{TInput, TResult}"/> items with a given isolation model: threads of this
/// process, worker processes, worker processes with shared buffers, or a cluster. Swapping the
/// implementation changes where work runs, never the results or the exceptions a caller sees.
/// </summary>
/// <remarks>
/// <para>All members are thread-safe.</para>
/// <para>
/// Continuations of the returned tasks never run on the executor's own threads, so a continuation may
/// submit more work and wait for it. A workload that throws fails only its own item, with a
/// <see cref="WorkloadException"/>. Disposing stops taking work, lets running items finish within the
/// executor's shutdown timeout, cancels the rest, and releases every thread, process and file it owns.
/// </para>
/// </remarks>
public interface IWorkExecutor : IAsyncDisposable
{
    /// <summary>Gets the executor's name, used in logs and metrics.</summary>
    string Name { get; }

    /// <summary>Gets what the executor promises about isolation and data movement.</summary>
    ExecutorCapabilities Capabilities { get; }

    /// <summary>Gets the greatest number of items that run at the same time.</summary>
    int MaxConcurrency { get; }

    /// <summary>Runs one item.</summary>
    /// <typeparam name="TInput">The type of the input.</typeparam>
    /// <typeparam name="TResult">The type of the result.</typeparam>
    /// <param name="workload">The workload to run.</param>
    /// <param name="input">The item's input.</param>
    /// <param name="cancellationToken">
    /// Cancels the item: a queued item at once; a running one through <see cref="WorkContext.CancellationToken"/>.
    /// </param>
    /// <returns>A task that completes with the item's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="workload"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The executor has been disposed.</exception>
    /// <exception cref="WorkloadException">The workload threw (reported through the task).</exception>
    /// <exception cref="WorkerCrashedException">The worker died while running the item (reported through the task).</exception>
    /// <exception cref="WorkTimeoutException">The item ran past the executor's item timeout (reported through the task).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the task is Canceled).</exception>
    Task<TResult> SubmitAsync<TInput, TResult>(
        IWorkload<TInput, TResult> workload,
        TInput input,
        CancellationToken cancellationToken = default);

    /// <summary>Runs the workload over every input and yields the results.</summary>
    /// <typeparam name="TInput">The type of the inputs.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="workload">The workload to run.</param>
    /// <param name="inputs">The inputs, enumerated once, lazily, on a thread of the executor's choosing.</param>
    /// <param name="options">Ordering, batching and back-pressure; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the whole map.</param>
    /// <returns>
    /// The results, in input order unless <see cref="MapOptions.Ordered"/> is <see langword="false"/>.
    /// The enumeration throws the first failing item's exception when it reaches that item.
    /// Abandoning the enumeration cancels the map's queued and running items.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="workload"/> or <paramref name="inputs"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The executor has been disposed.</exception>
    IAsyncEnumerable<TResult> MapAsync<TInput, TResult>(
        IWorkload<TInput, TResult> workload,
        IEnumerable<TInput> inputs,
        MapOptions? options = null,
        CancellationToken cancellationToken = default);

    /// <summary>Runs the workload over every input of an asynchronous source and yields the results.</summary>
    /// <typeparam name="TInput">The type of the inputs.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="workload">The workload to run.</param>
    /// <param name="inputs">
    /// The inputs. At most <see cref="MapOptions.MaxInFlight"/> of them are pulled ahead of the consumer.
    /// </param>
    /// <param name="options">Ordering, batching and back-pressure; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the whole map.</param>
    /// <returns>
    /// The results, in input order unless <see cref="MapOptions.Ordered"/> is <see langword="false"/>.
    /// The enumeration throws the first failing item's exception when it reaches that item.
    /// Abandoning the enumeration cancels the map's queued and running items.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="workload"/> or <paramref name="inputs"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The executor has been disposed.</exception>
    IAsyncEnumerable<TResult> MapAsync<TInput, TResult>(
        IWorkload<TInput, TResult> workload,
        IAsyncEnumerable<TInput> inputs,
        MapOptions? options = null,
        CancellationToken cancellationToken = default);
}
