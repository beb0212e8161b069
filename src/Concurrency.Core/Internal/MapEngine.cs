using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Concurrency.Internal;

/// <summary>The <c>MapAsync</c> every executor shares.</summary>
/// <remarks>
/// <code>
///  source ──pull (1 item permit each)──▶ producer ──batches──▶ dispatcher queue ──▶ workers
///                                          │                                        │ settle items
///                                          │ ordered: batch order channel           ▼
///                                          └──────────────────────────────▶ consumer ◀── unordered: completed-batch channel
///                                                                            │ yields results, gives permits back
/// </code>
/// The producer runs on the thread pool. It flushes a partial batch before every wait (for a permit,
/// for a slow asynchronous source) so that items never wait behind inputs that have not arrived.
/// Abandoning or cancelling the enumeration cancels the map's token, which settles queued items at once
/// and reaches running items through <see cref="WorkContext.CancellationToken"/>.
/// </remarks>
internal static class MapEngine
{
    /// <summary>Batches per worker that may wait for the consumer when <see cref="MapOptions.MaxInFlight"/> is not set.</summary>
    private const int DefaultBatchesPerWorker = 4;

    public static IAsyncEnumerable<TResult> MapAsync<TInput, TResult>(
        IBatchDispatcher dispatcher,
        IWorkload<TInput, TResult> workload,
        IEnumerable<TInput> inputs,
        MapOptions? options,
        CancellationToken cancellationToken) =>
        Run(dispatcher, workload, inputs, options, ResultOf<TInput, TResult>.Instance, cancellationToken);

    public static IAsyncEnumerable<TResult> MapAsync<TInput, TResult>(
        IBatchDispatcher dispatcher,
        IWorkload<TInput, TResult> workload,
        IAsyncEnumerable<TInput> inputs,
        MapOptions? options,
        CancellationToken cancellationToken) =>
        Run(dispatcher, workload, inputs, options, ResultOf<TInput, TResult>.Instance, cancellationToken);

    public static IAsyncEnumerable<WorkOutcome<TResult>> MapOutcomesAsync<TInput, TResult>(
        IBatchDispatcher dispatcher,
        IWorkload<TInput, TResult> workload,
        IEnumerable<TInput> inputs,
        MapOptions? options,
        CancellationToken cancellationToken) =>
        Run(dispatcher, workload, inputs, options, OutcomeOf<TInput, TResult>.Instance, cancellationToken);

    public static IAsyncEnumerable<WorkOutcome<TResult>> MapOutcomesAsync<TInput, TResult>(
        IBatchDispatcher dispatcher,
        IWorkload<TInput, TResult> workload,
        IAsyncEnumerable<TInput> inputs,
        MapOptions? options,
        CancellationToken cancellationToken) =>
        Run(dispatcher, workload, inputs, options, OutcomeOf<TInput, TResult>.Instance, cancellationToken);

    private static IAsyncEnumerable<TItem> Run<TInput, TResult, TItem>(
        IBatchDispatcher dispatcher,
        IWorkload<TInput, TResult> workload,
        IEnumerable<TInput> inputs,
        MapOptions? options,
        Func<WorkBatch<TInput, TResult>, int, TItem> project,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(inputs);
        dispatcher.ThrowIfDisposed();
        int? count = inputs.TryGetNonEnumeratedCount(out var n) ? n : null;
        return RunAsync(dispatcher, workload, new SyncSource<TInput>(inputs), count, options ?? MapOptions.Default, project, cancellationToken);
    }

    private static IAsyncEnumerable<TItem> Run<TInput, TResult, TItem>(
        IBatchDispatcher dispatcher,
        IWorkload<TInput, TResult> workload,
        IAsyncEnumerable<TInput> inputs,
        MapOptions? options,
        Func<WorkBatch<TInput, TResult>, int, TItem> project,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(inputs);
        dispatcher.ThrowIfDisposed();
        return RunAsync(dispatcher, workload, inputs, knownCount: null, options ?? MapOptions.Default, project, cancellationToken);
    }

    /// <summary>Yields one item per input, made by <paramref name="project"/> from the completed batch and the input's index in it.</summary>
    private static async IAsyncEnumerable<TItem> RunAsync<TInput, TResult, TItem>(
        IBatchDispatcher dispatcher,
        IWorkload<TInput, TResult> workload,
        IAsyncEnumerable<TInput> source,
        int? knownCount,
        MapOptions options,
        Func<WorkBatch<TInput, TResult>, int, TItem> project,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (knownCount == 0)
        {
            yield break;
        }

        using var map = new MapRun<TInput, TResult>(dispatcher, workload, source, knownCount, options, cancellationToken);
        await foreach (var batch in map.CompletedBatchesAsync(cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                yield return project(batch, i);

                // The consumer asked for the next item: the previous one leaves the in-flight count.
                map.ItemGate.Release(1);
            }
        }
    }

    /// <summary>MapAsync's projection: the result, or the item's exception thrown.</summary>
    private static class ResultOf<TInput, TResult>
    {
        public static readonly Func<WorkBatch<TInput, TResult>, int, TResult> Instance = static (batch, i) => batch.GetResultOrThrow(i);
    }

    /// <summary>MapOutcomesAsync's projection: the result or the exception, with the input's position.</summary>
    private static class OutcomeOf<TInput, TResult>
    {
        public static readonly Func<WorkBatch<TInput, TResult>, int, WorkOutcome<TResult>> Instance = static (batch, i) =>
            batch.GetException(i) is { } error
                ? new WorkOutcome<TResult>(batch.FirstIndex + i, default, error.SourceException)
                : new WorkOutcome<TResult>(batch.FirstIndex + i, batch.GetResultOrThrow(i), null);
    }

    /// <summary>The state of one map: its token, gates, producer and result channel.</summary>
    private sealed class MapRun<TInput, TResult> : IDisposable
    {
        private readonly IBatchDispatcher _dispatcher;
        private readonly IWorkload<TInput, TResult> _workload;
        private readonly IAsyncEnumerable<TInput> _source;
        private readonly bool _ordered;
        private readonly BatchSizer _sizer;
        private readonly CancellationTokenSource _cts;
        private readonly Action<WorkBatch> _onCompleted;
        private ExceptionDispatchInfo? _sourceFailure;
        private long _pulled;

        // Unordered: batches not yet reported to the consumer, plus one held by the producer until it ends.
        private int _outstanding = 1;

        public MapRun(IBatchDispatcher dispatcher, IWorkload<TInput, TResult> workload, IAsyncEnumerable<TInput> source, int? knownCount, MapOptions options, CancellationToken cancellationToken)
        {
            _dispatcher = dispatcher;
            _workload = workload;
            _source = source;
            _ordered = options.Ordered;
            var workers = Math.Max(1, dispatcher.MaxConcurrency);
            var maxInFlight = options.MaxInFlight ?? int.MaxValue / 2;
            // The consumer gives an item's permit back when it asks for the next result: the result in its
            // hands still counts as in flight, so the source is never more than MaxInFlight ahead of it.
            ItemGate = new InFlightGate(maxInFlight);
            BatchGate = new InFlightGate(options.MaxInFlight is null ? DefaultBatchesPerWorker * workers : int.MaxValue / 2);
            _sizer = new BatchSizer(options, dispatcher, maxInFlight, knownCount);
            _cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Results = Channel.CreateUnbounded<WorkBatch<TInput, TResult>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = _ordered });
            _onCompleted = OnBatchCompleted;
        }

        public InFlightGate ItemGate { get; }

        public InFlightGate BatchGate { get; }

        /// <summary>Ordered: batches in input order, as dispatched. Unordered: batches as they complete.</summary>
        public Channel<WorkBatch<TInput, TResult>> Results { get; }

        /// <summary>Starts the producer and yields completed batches: in input order, or as they complete.</summary>
        public async IAsyncEnumerable<WorkBatch<TInput, TResult>> CompletedBatchesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            _ = Task.Run(ProduceAsync, CancellationToken.None);
            var reader = Results.Reader;
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var batch))
                {
                    await batch.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
                    yield return batch;
                    BatchGate.Release(1);
                }
            }

            _sourceFailure?.Throw();
        }

        /// <summary>The consumer is done (finished, failed or abandoned): cancel whatever is left.</summary>
        public void Dispose()
        {
            _cts.Cancel();
            _cts.Dispose();
        }

        private async Task ProduceAsync()
        {
            var token = _cts.Token;
            var pending = new List<TInput>();
            var target = _sizer.Next();
            try
            {
                var enumerator = _source.GetAsyncEnumerator(token);
                await using (enumerator.ConfigureAwait(false))
                {
                    while (!token.IsCancellationRequested)
                    {
                        if (!ItemGate.TryTake())
                        {
                            await FlushAsync(pending, token).ConfigureAwait(false);
                            await ItemGate.WaitAsync(token).ConfigureAwait(false);
                            continue;
                        }

                        var next = enumerator.MoveNextAsync();
                        if (!next.IsCompleted)
                        {
                            // The source is slow: do not hold items back while it produces the next one.
                            await FlushAsync(pending, token).ConfigureAwait(false);
                        }

                        if (!await next.ConfigureAwait(false))
                        {
                            ItemGate.Release(1);
                            break;
                        }

                        pending.Add(enumerator.Current);
                        if (pending.Count >= target)
                        {
                            await FlushAsync(pending, token).ConfigureAwait(false);
                            target = _sizer.Next();
                        }
                    }

                    await FlushAsync(pending, token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Abandoned or cancelled: the consumer reports the cancellation.
            }
#pragma warning disable CA1031 // A failing source, or a dispatcher that shut down, is reported to the consumer after the items before it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _sourceFailure = ExceptionDispatchInfo.Capture(ex);
            }
            finally
            {
                if (_ordered)
                {
                    Results.Writer.TryComplete();
                }
                else
                {
                    ReleaseOutstanding();
                }
            }
        }

        private async ValueTask FlushAsync(List<TInput> pending, CancellationToken token)
        {
            if (pending.Count == 0)
            {
                return;
            }

            if (!BatchGate.TryTake())
            {
                do
                {
                    await BatchGate.WaitAsync(token).ConfigureAwait(false);
                }
                while (!BatchGate.TryTake());
            }

            var batch = new WorkBatch<TInput, TResult>(_workload, [.. pending], token, _dispatcher.AllowSynchronousContinuations) { OnCompleted = _onCompleted, FirstIndex = _pulled };
            _pulled += pending.Count;
            pending.Clear();
            if (_ordered)
            {
                Results.Writer.TryWrite(batch);
            }
            else
            {
                Interlocked.Increment(ref _outstanding);
            }

            // Listen before dispatching: once the map is cancelled, no worker may claim an item of this batch.
            batch.ListenForCancellation();
            try
            {
                await _dispatcher.DispatchAsync(batch, token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The batch never reached a worker; settle it so the consumer is not left waiting.
                batch.FailUnsettled(() => ex);
                throw;
            }
        }

        private void OnBatchCompleted(WorkBatch batch)
        {
            _sizer.Observe(batch);
            if (!_ordered)
            {
                Results.Writer.TryWrite((WorkBatch<TInput, TResult>)batch);
                ReleaseOutstanding();
            }
        }

        private void ReleaseOutstanding()
        {
            if (Interlocked.Decrement(ref _outstanding) == 0)
            {
                Results.Writer.TryComplete();
            }
        }
    }

    /// <summary>An <see cref="IEnumerable{T}"/> seen as an asynchronous source whose every step completes synchronously.</summary>
    private sealed class SyncSource<T>(IEnumerable<T> inner) : IAsyncEnumerable<T>
    {
        public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default) => new Enumerator(inner.GetEnumerator());

        private sealed class Enumerator(IEnumerator<T> inner) : IAsyncEnumerator<T>
        {
            public T Current => inner.Current;

            public ValueTask<bool> MoveNextAsync() => new(inner.MoveNext());

            public ValueTask DisposeAsync()
            {
                inner.Dispose();
                return default;
            }
        }
    }
}
