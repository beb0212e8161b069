using System.Diagnostics;
using System.Runtime.CompilerServices;
using Concurrency.Internal;
using Concurrency.Telemetry;

namespace Concurrency.Core.Tests.Internal;

public sealed class WorkBatchTests
{
    private static readonly ExecutorTelemetry Telemetry = new("Test", "work-batch-tests");

    [Fact]
    public void TryClaim_Pending_SucceedsOnce()
    {
        var batch = Batch(1);

        Assert.True(batch.TryClaim(0));
        Assert.False(batch.TryClaim(0));
        Assert.True(batch.IsClaimed(0));
        Assert.False(batch.IsSettled(0));
    }

    [Fact]
    public async Task TryClaim_TokenCancelledBeforeItsCallbacksRan_RefusesAndSettlesTheItemAsCancelled()
    {
        // No ListenForCancellation: as when a worker freed by another callback of the same token claims first.
        using var cts = new CancellationTokenSource();
        var batch = Batch(2, cts.Token);
        await cts.CancelAsync();

        Assert.False(batch.TryClaim(0));

        Assert.True(batch.IsSettled(0));
        Assert.False(batch.IsSettled(1));
        Assert.Equal(cts.Token, Assert.Throws<OperationCanceledException>(() => batch.GetResultOrThrow(0)).CancellationToken);
    }

    [Fact]
    public async Task TrySetResult_LastItem_CompletesBatchWithResult()
    {
        var batch = Batch(2);

        Assert.True(batch.TrySetResult(0, 10));
        Assert.False(batch.IsCompleted);
        Assert.True(batch.TryClaim(1));
        Assert.True(batch.TrySetResult(1, 11));

        await batch.Completion.WaitAsync(Hammer.Timeout);
        Assert.True(batch.IsCompleted);
        Assert.Equal(10, batch.GetResultOrThrow(0));
        Assert.Equal(11, batch.GetResultOrThrow(1));
        Assert.Null(batch.GetException(0));
    }

    [Fact]
    public void TrySetResult_Twice_SecondReturnsFalseAndKeepsFirst()
    {
        var batch = Batch(1);

        Assert.True(batch.TrySetResult(0, 1));
        Assert.False(batch.TrySetResult(0, 2));
        Assert.False(batch.TrySetException(0, new InvalidOperationException()));
        Assert.False(batch.TrySetCanceled(0));

        Assert.Equal(1, batch.GetResultOrThrow(0));
    }

    [Fact]
    public void TrySetException_Claimed_GetResultOrThrowRethrowsIt()
    {
        var batch = Batch(1);
        var failure = new InvalidOperationException("x");
        Assert.True(batch.TryClaim(0));

        Assert.True(batch.TrySetException(0, failure));

        Assert.Same(failure, Assert.Throws<InvalidOperationException>(() => batch.GetResultOrThrow(0)));
        Assert.False(batch.TrySetResult(0, 5));
        Assert.True(batch.IsCompleted);
    }

    [Fact]
    public void TrySetCanceled_TokenCancelled_ThrowsWithThatToken()
    {
        using var cts = new CancellationTokenSource();
        var batch = Batch(1, cts.Token);
        cts.Cancel();

        Assert.True(batch.TrySetCanceled(0));

        var ex = Assert.ThrowsAny<OperationCanceledException>(() => batch.GetResultOrThrow(0));
        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    [Fact]
    public void TrySetCanceled_TokenNotCancelled_ThrowsWithACancelledToken()
    {
        var batch = Batch(1);

        Assert.True(batch.TrySetCanceled(0));

        var ex = Assert.ThrowsAny<OperationCanceledException>(() => batch.GetResultOrThrow(0));
        Assert.True(ex.CancellationToken.IsCancellationRequested);
    }

    [Fact]
    public void CancelPending_SomeClaimed_SettlesOnlyPending()
    {
        var batch = Batch(3);
        Assert.True(batch.TryClaim(1));

        batch.CancelPending();

        Assert.True(batch.IsSettled(0));
        Assert.True(batch.IsClaimed(1));
        Assert.True(batch.IsSettled(2));
        Assert.False(batch.IsCompleted);
        Assert.False(batch.TryClaim(0));

        Assert.True(batch.TrySetResult(1, 7));
        Assert.True(batch.IsCompleted);
        Assert.Equal(7, batch.GetResultOrThrow(1));
        Assert.ThrowsAny<OperationCanceledException>(() => batch.GetResultOrThrow(0));
        Assert.ThrowsAny<OperationCanceledException>(() => batch.GetResultOrThrow(2));
    }

    [Fact]
    public void FailUnsettled_MixedStates_FailsEveryUnsettledItemWithItsOwnException()
    {
        var batch = Batch(3);
        Assert.True(batch.TrySetResult(0, 1));
        Assert.True(batch.TryClaim(1));
        var made = new List<Exception>();

        batch.FailUnsettled(() =>
        {
            var ex = new IOException("lost");
            made.Add(ex);
            return ex;
        });

        Assert.Equal(2, made.Count);
        Assert.True(batch.IsCompleted);
        Assert.Equal(1, batch.GetResultOrThrow(0));
        Assert.Same(made[0], Assert.Throws<IOException>(() => batch.GetResultOrThrow(1)));
        Assert.Same(made[1], Assert.Throws<IOException>(() => batch.GetResultOrThrow(2)));
    }

    [Fact]
    public void OnCompleted_LastItemSettles_RunsExactlyOnce()
    {
        var calls = 0;
        var batch = Batch(2);
        batch.OnCompleted = b => Interlocked.Increment(ref calls);

        batch.TrySetResult(0, 0);
        Assert.Equal(0, calls);
        batch.CancelPending();
        batch.CancelPending();
        batch.FailUnsettled(() => new InvalidOperationException());

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Completion_ContinuationOfSettlingThread_RunsElsewhere()
    {
        var batch = Batch(1);
        var settlingThread = -1;
        var continuationThread = Task.Run(async () =>
        {
            await batch.Completion.ConfigureAwait(false);
            return Environment.CurrentManagedThreadId;
        });

        var settler = new Thread(() =>
        {
            settlingThread = Environment.CurrentManagedThreadId;
            batch.TrySetResult(0, 1);
        });
        settler.Start();
        Assert.True(settler.Join(Hammer.Timeout));

        Assert.NotEqual(settlingThread, await continuationThread.WaitAsync(Hammer.Timeout));
    }

    [Fact]
    public void Completion_SynchronousContinuationsSettledInsideScope_RunOnTheSettlingThreadWhenTheScopeEnds()
    {
        var batch = new WorkBatch<int, int>(new Identity(), [1], CancellationToken.None, synchronousContinuations: true);
        var scopeEnded = false;
        (int Thread, bool ScopeEnded, int Result)? seen = null;
        var continuation = batch.Completion.ContinueWith(
            _ => seen = (Environment.CurrentManagedThreadId, Volatile.Read(ref scopeEnded), batch.GetResultOrThrow(0)),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        var settlingThread = -1;
        var completedInsideScope = true;

        var settler = new Thread(() =>
        {
            settlingThread = Environment.CurrentManagedThreadId;
            var outer = WorkBatch.DeferCompletions();
            var inner = WorkBatch.DeferCompletions();
            Assert.True(batch.TryClaim(0));
            Assert.True(batch.TrySetResult(0, 7));
            inner.Dispose();
            completedInsideScope = batch.Completion.IsCompleted;
            Volatile.Write(ref scopeEnded, true);
            outer.Dispose();
        });
        settler.Start();
        Assert.True(settler.Join(Hammer.Timeout));

        Assert.True(batch.IsCompleted);
        Assert.False(completedInsideScope);
        Assert.True(continuation.IsCompleted);
        Assert.Equal((settlingThread, true, 7), seen);
    }

    [Fact]
    public async Task Completion_SynchronousContinuationsSettledOutsideScope_RunOnTheThreadPool()
    {
        var batch = new WorkBatch<int, int>(new Identity(), [1], CancellationToken.None, synchronousContinuations: true);
        var continuation = batch.Completion.ContinueWith(
            _ => (Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        var settlingThread = -1;

        var settler = new Thread(() =>
        {
            settlingThread = Environment.CurrentManagedThreadId;
            Assert.True(batch.TryClaim(0));
            Assert.True(batch.TrySetResult(0, 7));
        });
        settler.Start();
        Assert.True(settler.Join(Hammer.Timeout));

        var (thread, onThreadPool) = await continuation.WaitAsync(Hammer.Timeout);
        Assert.NotEqual(settlingThread, thread);
        Assert.True(onThreadPool);
    }

    [Fact]
    public async Task Completion_DefaultBatchSettledInsideScope_CompletesAtOnceAndNeverOnTheSettlingThread()
    {
        var batch = Batch(1);
        var continuation = batch.Completion.ContinueWith(
            _ => Environment.CurrentManagedThreadId,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        var settlingThread = -1;
        var completedInsideScope = false;

        var settler = new Thread(() =>
        {
            settlingThread = Environment.CurrentManagedThreadId;
            using (WorkBatch.DeferCompletions())
            {
                Assert.True(batch.TryClaim(0));
                Assert.True(batch.TrySetResult(0, 7));
                completedInsideScope = batch.Completion.IsCompleted;
            }
        });
        settler.Start();
        Assert.True(settler.Join(Hammer.Timeout));

        Assert.True(completedInsideScope);
        Assert.NotEqual(settlingThread, await continuation.WaitAsync(Hammer.Timeout));
    }

    [Fact]
    public async Task ListenForCancellation_TokenCancelled_SettlesPendingAtOnce()
    {
        using var cts = new CancellationTokenSource();
        var batch = Batch(2, cts.Token);
        batch.ListenForCancellation();

        await cts.CancelAsync();

        await batch.Completion.WaitAsync(Hammer.Timeout);
        Assert.ThrowsAny<OperationCanceledException>(() => batch.GetResultOrThrow(0));
        Assert.False(batch.TryClaim(1));
    }

    [Fact]
    public async Task ListenForCancellation_TokenAlreadyCancelled_SettlesPendingAtOnce()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var batch = Batch(1, cts.Token);

        batch.ListenForCancellation();

        await batch.Completion.WaitAsync(Hammer.Timeout);
    }

    [Fact]
    public void ListenForCancellation_BatchAlreadyCompleted_LeavesNoRegistrationOnTheToken()
    {
        // A fast worker can settle a batch before the submitter starts listening for cancellation.
        // The registration made then must not keep the batch (and its results) alive as long as the token.
        using var longLived = new CancellationTokenSource();

        var weak = CompleteThenListen(longLived.Token);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(weak.IsAlive, "The completed batch is still reachable from the caller's token.");
        GC.KeepAlive(longLived);
    }

    [Fact]
    public async Task RunInProcess_Items_RunWithWorkerIdAndSettleWithResults()
    {
        var batch = new WorkBatch<int, int>(new WorkerIdPlus(), [1, 2, 3], CancellationToken.None);

        batch.RunInProcess(workerId: 5, shouldStop: () => false, Telemetry, CancellationToken.None);

        await batch.Completion.WaitAsync(Hammer.Timeout);
        Assert.Equal([6, 7, 8], Enumerable.Range(0, 3).Select(batch.GetResultOrThrow));
        Assert.Equal(3, batch.ExecutedCount);
        // Each item spins for at least WorkerIdPlus.Spin of its own clock: the batch's time covers all three.
        Assert.True(batch.ExecutionTicks >= 3 * WorkerIdPlus.Spin.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond, $"The batch measured {batch.ExecutionTicks} ticks for three items of at least {WorkerIdPlus.Spin} each.");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void RunInProcess_LastItemSettles_OnCompletedSeesTheMeasurement(int failingIndex)
    {
        // Automatic batch sizing reads the measurement in OnCompleted, which the last settle runs.
        var seen = (Count: -1, Ticks: -1L);
        var inputs = new[] { 1, 1, 1 };
        inputs[failingIndex] = 0;
        var batch = new WorkBatch<int, int>(new ThrowOnZero(), inputs, CancellationToken.None)
        {
            OnCompleted = b => seen = (b.ExecutedCount, b.ExecutionTicks),
        };

        batch.RunInProcess(0, () => false, Telemetry, CancellationToken.None);

        Assert.Equal(3, seen.Count);
        Assert.True(seen.Ticks > 0, "OnCompleted ran before the execution time was recorded.");
    }

    [Fact]
    public void RunInProcess_ItemThrows_FailsOnlyThatItemWithWorkloadException()
    {
        var batch = new WorkBatch<int, int>(new ThrowOnZero(), [1, 0, 2], CancellationToken.None);

        batch.RunInProcess(0, () => false, Telemetry, CancellationToken.None);

        Assert.Equal(1, batch.GetResultOrThrow(0));
        Assert.Equal(2, batch.GetResultOrThrow(2));
        var ex = Assert.Throws<WorkloadException>(() => batch.GetResultOrThrow(1));
        Assert.IsType<DivideByZeroException>(ex.InnerException);
        Assert.Equal("System.DivideByZeroException", ex.RemoteExceptionType);
        Assert.Contains(nameof(ThrowOnZero.Execute), ex.RemoteStackTrace, StringComparison.Ordinal);
        Assert.Equal($"Workload {typeof(ThrowOnZero).FullName} threw System.DivideByZeroException: {ex.InnerException!.Message}", ex.Message);
    }

    [Fact]
    public void RunInProcess_WorkloadThrowsOperationCanceledWithoutCancellation_IsAWorkloadFailure()
    {
        var batch = new WorkBatch<int, int>(new ThrowsCanceled(), [1], CancellationToken.None);

        batch.RunInProcess(0, () => false, Telemetry, CancellationToken.None);

        var ex = Assert.Throws<WorkloadException>(() => batch.GetResultOrThrow(0));
        Assert.IsType<OperationCanceledException>(ex.InnerException);
    }

    [Fact]
    public void RunInProcess_TokenCancelledByAnItem_CancelsThatItemAndTheRest()
    {
        using var cts = new CancellationTokenSource();
        var batch = new WorkBatch<int, int>(new CancelAt(cts, at: 1), [0, 1, 2, 3], cts.Token);

        batch.RunInProcess(0, () => false, Telemetry, CancellationToken.None);

        Assert.True(batch.IsCompleted);
        Assert.Equal(0, batch.GetResultOrThrow(0));
        for (var i = 1; i < 4; i++)
        {
            var ex = Assert.ThrowsAny<OperationCanceledException>(() => batch.GetResultOrThrow(i));
            Assert.Equal(cts.Token, ex.CancellationToken);
        }

        Assert.Equal(2, batch.ExecutedCount);
    }

    [Fact]
    public void RunInProcess_StopTokenCancelledByAnItem_ReachesTheItemsContext()
    {
        using var stop = new CancellationTokenSource();
        var batch = new WorkBatch<int, int>(new CancelAt(stop, at: 0), [0, 1], CancellationToken.None);

        batch.RunInProcess(0, () => false, Telemetry, stop.Token);

        Assert.ThrowsAny<OperationCanceledException>(() => batch.GetResultOrThrow(0));
        Assert.ThrowsAny<OperationCanceledException>(() => batch.GetResultOrThrow(1));
    }

    [Fact]
    public void RunInProcess_ShouldStopTurnsTrue_CancelsItemsNotStarted()
    {
        var stopAfter = 2;
        var ran = 0;
        var batch = new WorkBatch<int, int>(new Counting(() => ran++), [0, 1, 2, 3, 4], CancellationToken.None);

        batch.RunInProcess(0, () => ran >= stopAfter, Telemetry, CancellationToken.None);

        Assert.Equal(2, ran);
        Assert.Equal(0, batch.GetResultOrThrow(0));
        Assert.Equal(1, batch.GetResultOrThrow(1));
        Assert.ThrowsAny<OperationCanceledException>(() => batch.GetResultOrThrow(2));
        Assert.True(batch.IsCompleted);
    }

    [Fact]
    public void RunInProcess_ItemsAlreadySettled_AreSkipped()
    {
        var ran = 0;
        var batch = new WorkBatch<int, int>(new Counting(() => ran++), [0, 1, 2], CancellationToken.None);
        Assert.True(batch.TrySetCanceled(1));

        batch.RunInProcess(0, () => false, Telemetry, CancellationToken.None);

        Assert.Equal(2, ran);
        Assert.Equal(2, batch.ExecutedCount);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference CompleteThenListen(CancellationToken token)
    {
        var batch = new WorkBatch<int, int>(new Identity(), [1], token);
        Assert.True(batch.TryClaim(0));
        Assert.True(batch.TrySetResult(0, 1));
        batch.ListenForCancellation();
        return new WeakReference(batch);
    }

    private static WorkBatch<int, int> Batch(int count, CancellationToken token = default) =>
        new(new Identity(), Enumerable.Range(0, count).ToArray(), token);

    private sealed class WorkerIdPlus : IWorkload<int, int>
    {
        public static readonly TimeSpan Spin = TimeSpan.FromMilliseconds(2);

        public int Execute(int input, WorkContext context)
        {
            var started = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(started) < Spin)
            {
            }

            return input + context.WorkerId;
        }
    }

    private sealed class ThrowOnZero : IWorkload<int, int>
    {
        public int Execute(int input, WorkContext context) => input == 0 ? throw new DivideByZeroException() : input;
    }

    private sealed class ThrowsCanceled : IWorkload<int, int>
    {
        public int Execute(int input, WorkContext context) => throw new OperationCanceledException();
    }

    private sealed class CancelAt(CancellationTokenSource cts, int at) : IWorkload<int, int>
    {
        public int Execute(int input, WorkContext context)
        {
            if (input == at)
            {
                cts.Cancel();
                context.CancellationToken.ThrowIfCancellationRequested();
            }

            return input;
        }
    }

    private sealed class Counting(Action onRun) : IWorkload<int, int>
    {
        public int Execute(int input, WorkContext context)
        {
            onRun();
            return input;
        }
    }
}
