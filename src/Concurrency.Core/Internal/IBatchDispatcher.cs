namespace Concurrency.Internal;

/// <summary>
/// What an executor implements so that the shared front end (<see cref="WorkSubmission"/> and
/// <see cref="MapEngine"/>) can run <c>SubmitAsync</c> and <c>MapAsync</c> on it.
/// </summary>
internal interface IBatchDispatcher
{
    /// <summary>Gets the greatest number of items that run at the same time.</summary>
    int MaxConcurrency { get; }

    /// <summary>
    /// Gets how long an automatically sized batch should run so that the per-dispatch cost is small
    /// against it (a few microseconds on threads; a pipe round trip or more across processes).
    /// </summary>
    TimeSpan TargetBatchDuration { get; }

    /// <summary>
    /// Gets a value indicating whether the continuations of the tasks this executor completes may run synchronously, on
    /// the executor's thread that received the result (see <see cref="WorkBatch.DeferCompletions"/>).
    /// </summary>
    bool AllowSynchronousContinuations => false;

    /// <summary>Throws <see cref="ObjectDisposedException"/> if the executor no longer takes work.</summary>
    void ThrowIfDisposed();

    /// <summary>
    /// Queues <paramref name="batch"/>. Waits while the executor's queue is full. Once this returns, the
    /// executor owns the batch: it settles every item, even when it shuts down.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The executor no longer takes work.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting for space.</exception>
    ValueTask DispatchAsync(WorkBatch batch, CancellationToken cancellationToken);
}
