using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Concurrency.Internal;

/// <summary>
/// A group of inputs of one workload, dispatched to one worker at once. Every executor moves work as
/// batches: a <c>SubmitAsync</c> call is a batch of one, and <c>MapAsync</c> groups tiny items so that the
/// per-dispatch cost is paid once per batch.
/// </summary>
/// <remarks>
/// Each item settles exactly once, with a result, an exception or a cancellation. Item states, in
/// <see cref="_states"/>: 0 = pending (not started; cancellation settles it at once), 1 = claimed by a
/// worker (only the worker or the executor's supervision settles it), 2 = settled. The batch completes
/// when its last item settles. By default <see cref="Completion"/> never runs continuations synchronously, so the
/// thread that settles the last item (a worker) never runs the caller's code. A batch made with
/// <c>synchronousContinuations</c> runs them synchronously, but only where the executor allows it: inside a
/// <see cref="DeferCompletions"/> scope, when the scope ends (an executor's reader thread, after its bookkeeping, holding
/// no lock); completed anywhere else, it completes from the thread pool.
/// </remarks>
[DebuggerDisplay("{WorkloadType.Name,nq} x {Count}, {_remaining} unsettled")]
internal abstract class WorkBatch
{
    private const int Pending = 0;
    private const int Claimed = 1;
    private const int Settled = 2;

    private readonly int[] _states;
    [ThreadStatic]
    private static List<WorkBatch>? t_deferred;

    [ThreadStatic]
    private static int t_deferring;

    private readonly TaskCompletionSource _completion;
    private readonly bool _synchronousContinuations;
    private int _remaining;
    private CancellationTokenRegistration _registration;

    protected WorkBatch(int count, bool synchronousContinuations, CancellationToken cancellationToken)
    {
        Debug.Assert(count > 0, "A batch holds at least one item.");
        _states = new int[count];
        _remaining = count;
        CancellationToken = cancellationToken;
        _synchronousContinuations = synchronousContinuations;
        _completion = new(synchronousContinuations ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Gets the number of items.</summary>
    public int Count => _states.Length;

    /// <summary>Gets the token that cancels the batch's items: the caller's, or the map's.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Gets the workload's runtime type.</summary>
    public abstract Type WorkloadType { get; }

    /// <summary>Gets the workload, untyped, for executors that serialize it.</summary>
    public abstract object WorkloadObject { get; }

    /// <summary>Gets a task that completes when every item has settled. It never faults.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Gets or sets the time the worker spent running the batch's items, in <see cref="Stopwatch"/> ticks.</summary>
    /// <remarks>
    /// An executor sets this and <see cref="ExecutedCount"/> before it settles the batch's last item: settling it
    /// completes the batch and runs <see cref="OnCompleted"/>, which reads them (automatic batch sizing).
    /// </remarks>
    public long ExecutionTicks { get; set; }

    /// <summary>Gets or sets the number of items that ran (settled by a worker, not by cancellation) and are timed by <see cref="ExecutionTicks"/>.</summary>
    public int ExecutedCount { get; set; }

    /// <summary>Gets or sets the position, in the map's source, of the batch's first input.</summary>
    public long FirstIndex { get; set; }

    /// <summary>Gets or sets a callback run (on the thread that settles the last item) when the batch completes. Must be cheap and must not throw.</summary>
    public Action<WorkBatch>? OnCompleted { get; set; }

    /// <summary>
    /// Starts a scope on the calling thread in which batches with synchronous continuations that complete are held
    /// back; disposing the scope completes them, running their continuations on this thread. Scopes nest.
    /// </summary>
    /// <returns>The scope, to dispose once the caller holds no lock and its bookkeeping is done.</returns>
    public static CompletionScope DeferCompletions()
    {
        t_deferring++;
        return default;
    }

    /// <summary>Gets a value indicating whether the batch has completed.</summary>
    public bool IsCompleted => Volatile.Read(ref _remaining) == 0;

    /// <summary>Starts listening to <see cref="CancellationToken"/>: cancellation then settles the pending items at once.</summary>
    public void ListenForCancellation()
    {
        if (CancellationToken.CanBeCanceled && !IsCompleted)
        {
            _registration = CancellationToken.UnsafeRegister(static s => ((WorkBatch)s!).CancelPending(), this);

            // A fast worker may have settled the last item meanwhile, before there was a registration to
            // dispose: do it here, or the caller's token would keep the batch alive as long as it lives.
            if (IsCompleted)
            {
                _ = _registration.Unregister();
            }
        }
    }

    /// <summary>
    /// Claims item <paramref name="index"/> for running. Returns <see langword="false"/> if it has already settled, or if
    /// <see cref="CancellationToken"/> is cancelled: then it settles the item as cancelled. The token reads cancelled
    /// before its callbacks run, so a worker freed by one callback cannot start an item whose own callback is still to come.
    /// </summary>
    public bool TryClaim(int index)
    {
        if (CancellationToken.IsCancellationRequested)
        {
            CancelIfPending(index);
            return false;
        }

        return Interlocked.CompareExchange(ref _states[index], Claimed, Pending) == Pending;
    }

    /// <summary>
    /// Gives claimed item <paramref name="index"/> back (claimed → pending) so that it can be dispatched again: used by
    /// executors whose worker stopped (crashed, recycled) before the item started.
    /// </summary>
    /// <returns><see langword="true"/> if the item was claimed and is pending again.</returns>
    public bool TryUnclaim(int index) => Interlocked.CompareExchange(ref _states[index], Pending, Claimed) == Claimed;

    /// <summary>Returns whether item <paramref name="index"/> has settled.</summary>
    public bool IsSettled(int index) => Volatile.Read(ref _states[index]) == Settled;

    /// <summary>Returns whether item <paramref name="index"/> is claimed and not settled.</summary>
    public bool IsClaimed(int index) => Volatile.Read(ref _states[index]) == Claimed;

    /// <summary>Settles item <paramref name="index"/> (pending or claimed) with <paramref name="exception"/>.</summary>
    /// <returns><see langword="true"/> if this call settled the item.</returns>
    public bool TrySetException(int index, Exception exception)
    {
        if (!TryBeginSettle(index))
        {
            return false;
        }

        StoreException(index, ExceptionDispatchInfo.Capture(exception));
        EndSettle(index);
        return true;
    }

    /// <summary>Settles item <paramref name="index"/> (pending or claimed) as cancelled.</summary>
    /// <returns><see langword="true"/> if this call settled the item.</returns>
    public bool TrySetCanceled(int index)
    {
        var token = CancellationToken.IsCancellationRequested ? CancellationToken : new CancellationToken(canceled: true);
        return TrySetException(index, new OperationCanceledException(token));
    }

    /// <summary>Settles every pending (unclaimed) item as cancelled.</summary>
    public void CancelPending()
    {
        for (var i = 0; i < _states.Length; i++)
        {
            CancelIfPending(i);
        }
    }

    private void CancelIfPending(int index)
    {
        if (Interlocked.CompareExchange(ref _states[index], Settled, Pending) == Pending)
        {
            StoreException(index, ExceptionDispatchInfo.Capture(new OperationCanceledException(CancellationToken.IsCancellationRequested ? CancellationToken : new CancellationToken(true))));
            Decrement();
        }
    }

    /// <summary>Settles every item not yet settled (pending or claimed) with an exception made by <paramref name="factory"/>.</summary>
    public void FailUnsettled(Func<Exception> factory)
    {
        for (var i = 0; i < _states.Length; i++)
        {
            if (!IsSettled(i))
            {
                TrySetException(i, factory());
            }
        }
    }

    /// <summary>Returns the exception item <paramref name="index"/> settled with, or <see langword="null"/> if it has a result.</summary>
    public abstract ExceptionDispatchInfo? GetException(int index);

    /// <summary>Runs the batch's pending items on the calling thread (see the override).</summary>
    public abstract void RunInProcess(int workerId, Func<bool> shouldStop, Telemetry.ExecutorTelemetry telemetry, CancellationToken stopToken);

    protected abstract void StoreException(int index, ExceptionDispatchInfo exception);

    /// <summary>Moves item <paramref name="index"/> to the settling state; false if someone else settles it.</summary>
    protected bool TryBeginSettle(int index)
    {
        while (true)
        {
            var state = Volatile.Read(ref _states[index]);
            if (state == Settled)
            {
                return false;
            }

            // Settled is written with a CAS first, then the value is stored, then the count drops:
            // a reader only looks at values after Completion, which follows the last decrement.
            if (Interlocked.CompareExchange(ref _states[index], Settled, state) == state)
            {
                return true;
            }
        }
    }

    protected void EndSettle(int index)
    {
        _ = index;
        Decrement();
    }

    private void Decrement()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _registration.Dispose();
            if (!_synchronousContinuations)
            {
                _completion.TrySetResult();
                OnCompleted?.Invoke(this);
                return;
            }

            OnCompleted?.Invoke(this);
            if (t_deferring > 0)
            {
                (t_deferred ??= []).Add(this);
            }
            else
            {
                // Not on a thread that may run the caller's code (a cancellation callback, supervision under a lock).
                ThreadPool.UnsafeQueueUserWorkItem(static batch => batch._completion.TrySetResult(), this, preferLocal: false);
            }
        }
    }

    /// <summary>The scope returned by <see cref="DeferCompletions"/>.</summary>
    internal readonly struct CompletionScope : IDisposable
    {
        /// <summary>Ends the scope; the outermost one completes the batches held back, in the order they completed.</summary>
        public void Dispose()
        {
            if (--t_deferring > 0 || t_deferred is not { Count: > 0 } deferred)
            {
                return;
            }

            // A continuation may start a scope of its own (a nested reader callback): take the list first.
            var batches = deferred.ToArray();
            deferred.Clear();
            foreach (var batch in batches)
            {
                batch._completion.TrySetResult();
            }
        }
    }
}

/// <summary>A batch of inputs of one workload type.</summary>
internal sealed class WorkBatch<TInput, TResult> : WorkBatch
{
    private readonly TResult[] _results;
    private ExceptionDispatchInfo?[]? _exceptions;

    public WorkBatch(IWorkload<TInput, TResult> workload, TInput[] inputs, CancellationToken cancellationToken, bool synchronousContinuations = false)
        : base(inputs.Length, synchronousContinuations, cancellationToken)
    {
        Workload = workload;
        Inputs = inputs;
        _results = new TResult[inputs.Length];
    }

    public IWorkload<TInput, TResult> Workload { get; }

    public TInput[] Inputs { get; }

    public override Type WorkloadType => Workload.GetType();

    public override object WorkloadObject => Workload;

    /// <summary>Settles item <paramref name="index"/> with <paramref name="result"/>.</summary>
    /// <returns><see langword="true"/> if this call settled the item.</returns>
    public bool TrySetResult(int index, TResult result)
    {
        if (!TryBeginSettle(index))
        {
            return false;
        }

        _results[index] = result;
        EndSettle(index);
        return true;
    }

    /// <summary>Returns the result of item <paramref name="index"/>, or throws the exception it settled with.</summary>
    public TResult GetResultOrThrow(int index)
    {
        GetException(index)?.Throw();
        return _results[index];
    }

    /// <summary>
    /// Runs the batch's pending items one after another on the calling thread: the in-process way of
    /// running work, shared by the thread executor and by worker processes once inputs are decoded.
    /// </summary>
    /// <param name="workerId">The id every item's <see cref="WorkContext"/> carries.</param>
    /// <param name="stopToken">The executor's own stop signal (shutdown); combined with the batch's token.</param>
    /// <param name="shouldStop">Checked before each item: when it returns <see langword="true"/>, the items not yet started are cancelled.</param>
    /// <param name="telemetry">Where to report item counts and durations.</param>
    public override void RunInProcess(int workerId, Func<bool> shouldStop, Telemetry.ExecutorTelemetry telemetry, CancellationToken stopToken)
    {
        using var linked = stopToken.CanBeCanceled && CancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(CancellationToken, stopToken)
            : null;
        var token = linked?.Token ?? (CancellationToken.CanBeCanceled ? CancellationToken : stopToken);
        var context = new WorkContext(workerId, token);
        var timeEach = Telemetry.ExecutorTelemetry.TimesItems;
        var workload = Workload;
        var inputs = Inputs;
        var started = Stopwatch.GetTimestamp();
        var ran = 0;
        var completed = 0;
        var last = inputs.Length - 1;
        for (var i = 0; i < inputs.Length; i++)
        {
            if (shouldStop() || token.IsCancellationRequested)
            {
                CancelPending();
                break;
            }

            if (!TryClaim(i))
            {
                continue;
            }

            ran++;
            telemetry.ItemsStarted(1);
            var itemStart = timeEach ? Stopwatch.GetTimestamp() : 0;
            try
            {
                var result = workload.Execute(inputs[i], context);
                RecordExecutionIfLast(i == last, started, ran);
                if (TrySetResult(i, result))
                {
                    completed++;
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                RecordExecutionIfLast(i == last, started, ran);
                TrySetCanceled(i);
                telemetry.ItemFailed(new OperationCanceledException(token));
            }
#pragma warning disable CA1031 // Whatever the workload throws fails its own item, never the worker.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                var failure = WorkloadException.FromInProcess(workload.GetType(), ex);
                RecordExecutionIfLast(i == last, started, ran);
                TrySetException(i, failure);
                telemetry.ItemFailed(failure);
            }

            if (timeEach)
            {
                telemetry.ItemDuration(Stopwatch.GetTimestamp() - itemStart);
            }
        }

        ExecutionTicks = Stopwatch.GetTimestamp() - started;
        ExecutedCount = ran;
        telemetry.ItemsCompleted(completed);
    }

    /// <summary>Sets the measurement before the last item settles, so that <see cref="WorkBatch.OnCompleted"/> (run by that settle) sees it.</summary>
    private void RecordExecutionIfLast(bool isLast, long started, int ran)
    {
        if (isLast)
        {
            ExecutionTicks = Stopwatch.GetTimestamp() - started;
            ExecutedCount = ran;
        }
    }

    public override ExceptionDispatchInfo? GetException(int index) => Volatile.Read(ref _exceptions) is { } e ? e[index] : null;

    protected override void StoreException(int index, ExceptionDispatchInfo exception)
    {
        var exceptions = Volatile.Read(ref _exceptions);
        if (exceptions is null)
        {
            _ = Interlocked.CompareExchange(ref _exceptions, new ExceptionDispatchInfo?[Count], null);
            exceptions = _exceptions!;
        }

        exceptions[index] = exception;
    }
}
