namespace Concurrency.Internal;

/// <summary>The <c>SubmitAsync</c> every executor shares: a batch of one.</summary>
internal static class WorkSubmission
{
    public static Task<TResult> SubmitAsync<TInput, TResult>(
        IBatchDispatcher dispatcher,
        IWorkload<TInput, TResult> workload,
        TInput input,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        dispatcher.ThrowIfDisposed();
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResult>(cancellationToken);
        }

        var batch = new WorkBatch<TInput, TResult>(workload, [input], cancellationToken, dispatcher.AllowSynchronousContinuations);
        return RunAsync(dispatcher, batch, cancellationToken);
    }

    private static async Task<TResult> RunAsync<TInput, TResult>(IBatchDispatcher dispatcher, WorkBatch<TInput, TResult> batch, CancellationToken cancellationToken)
    {
        // Listen before dispatching: once the caller cancels, no worker may claim the item.
        batch.ListenForCancellation();
        await dispatcher.DispatchAsync(batch, cancellationToken).ConfigureAwait(false);
        await batch.Completion.ConfigureAwait(false);
        return batch.GetResultOrThrow(0);
    }
}
