using Concurrency.Processes.Internal;
using Concurrency.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Concurrency.Processes.Tests;

/// <summary>Fault injection: each way a worker can die or hang, and exactly what the caller sees.</summary>
/// <remarks>Written once for every executor built on the process pool; a sealed subclass per executor says which (<see cref="PoolKind"/>).</remarks>
public abstract class SupervisionTests
{
    private readonly PoolKind _kind;

    private protected SupervisionTests(PoolKind kind) => _kind = kind;

    public static TheoryData<CrashMode, int> Crashes => new()
    {
        { CrashMode.FailFast, 134 },
        { CrashMode.StackOverflow, 134 },
        { CrashMode.UnhandledThreadException, 134 },
        { CrashMode.Segfault, 139 },
        { CrashMode.KillSelf, 137 },
        { CrashMode.Exit0, 0 },
        { CrashMode.Exit42, 42 },
    };

    [Theory]
    [MemberData(nameof(Crashes))]
    public async Task SubmitAsync_WorkerDiesMidItem_FailsThatItemWithWorkerCrashedExceptionAndReplacesTheWorker(CrashMode mode, int exitCode)
    {
        await using (var pool = _kind.Create(workers: 1))
        {
            var (workerId, pid) = await pool.SubmitAsync(new WhereAmI(), 0).Bounded();

            var ex = await Assert.ThrowsAsync<WorkerCrashedException>(() => pool.SubmitAsync(new Crash(), mode).Bounded());

            Assert.Equal(workerId, ex.WorkerId);
            Assert.Equal(exitCode, ex.ExitCode);
            Assert.Equal(
                $"Worker {workerId} exited with code {exitCode} ({ProcessPoolExecutor.DescribeExit(exitCode)}) while running an item of {typeof(Crash).FullName}; the worker was replaced.",
                ex.Message);
            Assert.False(LeakCheck.IsAlive(pid));
            var (after, afterPid) = await pool.SubmitAsync(new WhereAmI(), 0).Bounded();
            Assert.NotEqual(workerId, after);
            Assert.NotEqual(pid, afterPid);
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task SubmitAsync_WorkerKilledFromOutside_FailsTheRunningItemWithExitCode137()
    {
        await using (var pool = _kind.Create(workers: 1))
        {
            var (workerId, pid) = await pool.SubmitAsync(new WhereAmI(), 0).Bounded();
            var running = pool.SubmitAsync(new SpinForever(), 0);
            Assert.True(await TestSupport.EventuallyAsync(() => PoolOf(pool).RunningItems == 1));

            System.Diagnostics.Process.GetProcessById(pid).Kill();

            var ex = await Assert.ThrowsAsync<WorkerCrashedException>(() => running.Bounded());
            Assert.Equal(workerId, ex.WorkerId);
            Assert.Equal(137, ex.ExitCode);
            Assert.Equal(2, await pool.SubmitAsync(new AddOne(), 1).Bounded());
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task SubmitAsync_WorkerKilledWhileThePoolWritesABatchToIt_TheBatchRunsOnTheReplacement()
    {
        await using (var pool = _kind.Create(workers: 2, o => o.ThreadsPerWorker = 2))
        {
            var (workerId, pid) = await pool.SubmitAsync(new WhereAmI(), 0).Bounded();

            // An item of one slot stops the whole worker (SIGSTOP): it reads nothing more.
            var stopped = pool.SubmitAsync(new Crash(), CrashMode.StopSelf);
            Assert.True(await TestSupport.EventuallyAsync(() => TestSupport.ProcessState(pid) == 'T'), "the worker did not stop");

            // A batch for the other slot, larger than any ring or pipe: its sender (the submitting thread) writes until
            // the buffer between them is full, then waits for room.
            var input = Enumerable.Range(0, 1 << 20).Select(i => (double)i).ToArray();
            var submitted = new TaskCompletionSource<Task<double[]>>(TaskCreationOptions.RunContinuationsAsynchronously);
            var senderId = 0;
            var sender = new Thread(() =>
            {
                Volatile.Write(ref senderId, TestSupport.CurrentThreadId());
                try
                {
                    submitted.SetResult(pool.SubmitAsync(new Reverse(), input));
                }
                catch (Exception ex)
                {
                    submitted.SetException(ex);
                }
            });
            sender.Start();
            Assert.True(
                await TestSupport.EventuallyAsync(() => Volatile.Read(ref senderId) != 0 && TestSupport.ThreadState(senderId) == 'S'),
                "the sender never waited for room");

            System.Diagnostics.Process.GetProcessById(pid).Kill();

            var crash = await Assert.ThrowsAsync<WorkerCrashedException>(() => stopped.Bounded());
            Assert.Equal(workerId, crash.WorkerId);
            Assert.Equal(137, crash.ExitCode);
            var reversed = await (await submitted.Task.Bounded()).Bounded();
            Assert.Equal(input.Reverse(), reversed);
            Assert.Equal(workerId + 1, (await pool.SubmitAsync(new WhereAmI(), 0).Bounded()).WorkerId);
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task MapOutcomesAsync_CrashInTheMiddleOfABatch_FailsOnlyThatItemAndRunsTheRest()
    {
        await using (var pool = _kind.Create(workers: 1))
        {
            var inputs = Enumerable.Range(0, 20).Select(i => (i, i == 7 ? CrashMode.Exit42 : CrashMode.None)).ToList();
            var outcomes = await pool.MapOutcomesAsync(new MaybeCrash(), inputs, new MapOptions { BatchSize = 20 }).ToListBounded();

            Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), outcomes.Select(o => o.Index));
            var crash = Assert.IsType<WorkerCrashedException>(outcomes[7].Exception);
            Assert.Equal(42, crash.ExitCode);
            Assert.All(outcomes.Where(o => o.Index != 7), o => Assert.Equal(o.Index * 2, o.Result));
            Assert.Equal(2, PoolOf(pool).WorkersStarted);
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task SubmitAsync_ItemPastItemTimeout_FailsWithWorkTimeoutExceptionAndReplacesTheWorker()
    {
        // The pool's clock is a fake one: the item times out when the test moves it past the timeout, not before.
        var clock = new FakeTimeProvider();
        var timeout = TimeSpan.FromMinutes(10);
        await using (var pool = _kind.Create(workers: 1, o => { o.ItemTimeout = timeout; o.TimeProvider = clock; }))
        {
            var (workerId, pid) = await pool.SubmitAsync(new WhereAmI(), 0).Bounded();
            var running = pool.SubmitAsync(new SpinForever(), 0);
            Assert.True(await TestSupport.EventuallyAsync(() => PoolOf(pool).RunningItems == 1));
            await PoolOf(pool).NextSupervisionAsync().Bounded();

            clock.Advance(timeout - TimeSpan.FromSeconds(1));
            await PoolOf(pool).NextSupervisionAsync().Bounded();
            Assert.False(running.IsCompleted);
            Assert.True(LeakCheck.IsAlive(pid));

            clock.Advance(TimeSpan.FromSeconds(1));
            var ex = await Assert.ThrowsAsync<WorkTimeoutException>(() => running.Bounded());

            Assert.Equal(
                $"An item of {typeof(SpinForever).FullName} ran longer than the item timeout of {timeout} on worker {workerId}; the worker was killed and replaced.",
                ex.Message);
            Assert.False(LeakCheck.IsAlive(pid));
            Assert.Equal(workerId + 1, await pool.SubmitAsync(new SleepFor(), 10).Bounded());
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task MapOutcomesAsync_TimedOutItemEndsBeforeTheKill_TheNextItemIsNotBlamedAndRunsAgain()
    {
        var clock = new FakeTimeProvider();
        var timeout = TimeSpan.FromMinutes(10);
        var first = Path.Combine(Path.GetTempPath(), $"first-{Guid.NewGuid():N}");
        var second = Path.Combine(Path.GetTempPath(), $"second-{Guid.NewGuid():N}");
        try
        {
            await using (var pool = _kind.Create(workers: 1, o => { o.ItemTimeout = timeout; o.TimeProvider = clock; }))
            {
                var outcomes = pool.MapOutcomesAsync(new WaitForFile(), [first, second], new MapOptions { BatchSize = 2 }).ToListBounded();
                Assert.True(await TestSupport.EventuallyAsync(() => PoolOf(pool).RunningItems == 1));
                await PoolOf(pool).NextSupervisionAsync().Bounded();

                // The supervisor decides to kill for the first item; before the kill lands, that item ends and the next starts.
                KillTarget? decided = null;
                PoolOf(pool).BeforeKill = (worker, target) =>
                {
                    decided = target;
                    File.WriteAllText(first, string.Empty);
                    SpinWait.SpinUntil(() => worker.Progress.Read(0) is { Position: 1, Done: false });
                };
                clock.Advance(timeout);
                await PoolOf(pool).NextSupervisionAsync().Bounded();
                PoolOf(pool).BeforeKill = null;
                File.WriteAllText(second, string.Empty);

                var results = await outcomes;
                Assert.Equal(new KillTarget(0, decided!.Value.Seq, 0), decided);
                Assert.All(results, r => Assert.Equal(1, r.Result));
                Assert.Equal(2, PoolOf(pool).WorkersStarted);
            }

            PoolKind.AssertNothingLeft();
        }
        finally
        {
            File.Delete(first);
            File.Delete(second);
        }
    }

    [Fact]
    public async Task SubmitAsync_ItemPastItemTimeoutWhileTheThreadPoolIsStarved_TimesOutWhileTheStarvationLasts()
    {
        // A program whose thread pool is starved (capped and every thread blocked) runs an item past a 1 s timeout: the
        // item must time out while the thread pool is still starved. It reports it on a path that needs no pool thread.
        using var parent = TestSupport.StartParentProcess(_kind.ParentArgument, "starved");
        try
        {
            var line = await parent.StandardOutput.ReadLineAsync().Bounded();
            Assert.Equal("WorkTimeoutException STARVED", line);
            await parent.WaitForExitAsync().Bounded();
            Assert.Equal(0, parent.ExitCode);
        }
        finally
        {
            if (!parent.HasExited)
            {
                parent.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task MapOutcomesAsync_ResultWithAReferenceCycle_FailsOnlyThatItemAndRunsEveryItemOnce()
    {
        var failure = await MapWithAPoisonedResultAsync(ResultMode.Cycle, workersStarted: 1);

        var ex = Assert.IsType<System.Runtime.Serialization.SerializationException>(failure);
        Assert.StartsWith(
            $"The result of type {typeof(RunNode).FullName} cannot be serialized: MessagePack.MessagePackSerializationException: ",
            ex.Message,
            StringComparison.Ordinal);
        Assert.Contains("The object graph is nested through more than 2008 formatters (at a RunNode): a reference cycle, or a structure nested far deeper than the 500 levels a reader accepts.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapOutcomesAsync_WorkerDiesAfterExecuteReturned_FailsThatItemWithTheCauseAndRunsNothingTwice()
    {
        var failure = await MapWithAPoisonedResultAsync(ResultMode.ExitWhileSerialized, workersStarted: 2);

        var ex = Assert.IsType<WorkerCrashedException>(failure);
        Assert.Equal(42, ex.ExitCode);
        Assert.Equal(
            $"An item of {typeof(RecordRuns).FullName} ran to completion on worker 0, but the worker exited with code 42 ({ProcessPoolExecutor.DescribeExit(42)}) " +
            $"before the item's result ({typeof(RunNode).FullName}) reached the pool; the item is not run again. A result the worker cannot serialize — " +
            "e.g. one whose serialization overflows the stack — ends a worker this way. The worker was replaced.",
            ex.Message);
    }

    [Fact]
    public async Task SubmitAsync_WorkerFinishesABatchWithoutTheItemsOutcome_FailsItAsAMalformedMessageInsteadOfHanging()
    {
        await using (var pool = _kind.Create(workers: 1))
        {
            var (workerId, pid) = await pool.SubmitAsync(new WhereAmI(), 0).Bounded();

            var ex = await Assert.ThrowsAsync<WorkerCrashedException>(() => pool.SubmitAsync(new FinishWithoutOutcomes(), 1).Bounded());

            Assert.Equal(
                $"Worker {workerId} sent a malformed message while running an item of {typeof(FinishWithoutOutcomes).FullName} and was killed: " +
                $"Malformed message: worker {workerId} finished batch 2 of slot 0 without an outcome for 1 of its 1 items (the first at position 0). The worker was replaced.",
                ex.Message);
            Assert.False(LeakCheck.IsAlive(pid));
            Assert.Equal(2, await pool.SubmitAsync(new AddOne(), 1).Bounded());
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task DisposeAsync_QueueCapacityIntMaxValue_StopsEveryWorker()
    {
        var pool = _kind.Create(workers: 1, o => o.QueueCapacity = int.MaxValue);
        Assert.Equal(2, await pool.SubmitAsync(new AddOne(), 1).Bounded());

        await pool.DisposeAsync().Bounded();

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task SubmitAsync_InputThatCannotBeDeserializedInTheWorker_ReportsTheExceptionTheInputsTypeThrew()
    {
        await using (var pool = _kind.Create(workers: 1))
        {
            var ex = await Assert.ThrowsAsync<System.Runtime.Serialization.SerializationException>(() => pool.SubmitAsync(new TakesRefused(), new RefusedInWorker { Value = 7 }).Bounded());

            Assert.StartsWith($"Worker 0 could not deserialize a batch of {typeof(RefusedInWorker).FullName} for workload {typeof(TakesRefused).FullName}: ", ex.Message, StringComparison.Ordinal);
            Assert.Contains("System.FormatException: RefusedInWorker does not take 7 in a worker.", ex.Message, StringComparison.Ordinal);
            Assert.Contains($"{typeof(RefusedInWorker).FullName}.set_Value", ex.Message, StringComparison.Ordinal);
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task SubmitAsync_WorkloadThrows_TheExceptionsTextShowsWhereTheWorkloadFailed()
    {
        await using (var pool = _kind.Create(workers: 1))
        {
            var ex = await Assert.ThrowsAsync<WorkloadException>(() => pool.SubmitAsync(new Throws(), "x").Bounded());

            var text = ex.ToString();
            Assert.StartsWith($"{typeof(WorkloadException).FullName}: Workload {typeof(Throws).FullName} threw System.ArgumentException: bad input x ---> System.ArgumentException", text, StringComparison.Ordinal);
            Assert.Contains($"{typeof(Throws).FullName}.Execute", text, StringComparison.Ordinal);
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task SubmitAsync_CancelledItemIgnoresItsToken_IsCancelledAfterTheGracePeriodAndTheWorkerReplaced()
    {
        var clock = new FakeTimeProvider();
        var grace = TimeSpan.FromMinutes(10);
        await using (var pool = _kind.Create(workers: 1, o => { o.CancellationGracePeriod = grace; o.TimeProvider = clock; }))
        {
            var (workerId, pid) = await pool.SubmitAsync(new WhereAmI(), 0).Bounded();
            using var cts = new CancellationTokenSource();
            var running = pool.SubmitAsync(new SpinForever(), 0, cts.Token);
            Assert.True(await TestSupport.EventuallyAsync(() => PoolOf(pool).RunningItems == 1));

            await cts.CancelAsync();
            clock.Advance(grace - TimeSpan.FromSeconds(1));
            await PoolOf(pool).NextSupervisionAsync().Bounded();
            Assert.False(running.IsCompleted);
            Assert.True(LeakCheck.IsAlive(pid));
            clock.Advance(TimeSpan.FromSeconds(1));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.Bounded());
            Assert.True(running.IsCanceled);
            Assert.True(await TestSupport.EventuallyAsync(() => !LeakCheck.IsAlive(pid)));
            Assert.Equal(workerId + 1, (await pool.SubmitAsync(new WhereAmI(), 0).Bounded()).WorkerId);
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task MapAsync_MaxItemsPerWorker_RecyclesBetweenItems()
    {
        await using (var pool = _kind.Create(workers: 1, o => o.MaxItemsPerWorker = 3))
        {
            var results = await pool.MapAsync(new WhereAmI(), Enumerable.Range(0, 10), new MapOptions { BatchSize = 10 }).ToListBounded();

            Assert.Equal(10, results.Count);
            var perWorker = results.GroupBy(r => r.WorkerId).Select(g => g.Count()).ToList();
            Assert.Equal([3, 3, 3, 1], perWorker);
            Assert.Equal(4, results.Select(r => r.Pid).Distinct().Count());
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task SubmitAsync_WorkerAboveMaxWorkerMemory_IsRecycledBetweenItems()
    {
        await using (var pool = _kind.Create(workers: 1, o => o.MaxWorkerMemory = 300L * 1024 * 1024))
        {
            var first = await pool.SubmitAsync(new Hog(), 50).Bounded();
            var second = await pool.SubmitAsync(new Hog(), 300).Bounded();
            var third = await pool.SubmitAsync(new Hog(), 1).Bounded();

            Assert.Equal(first, second);
            Assert.NotEqual(second, third);
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task SubmitAsync_InitializerThrows_ItemsFailWithItsErrorAndThePoolDoesNotRespawnInALoop()
    {
        await using (var pool = _kind.Create(workers: 1, o => o.WorkerInitializer = typeof(ThrowingInitializer)))
        {
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => pool.SubmitAsync(new AddOne(), 1).Bounded());

            Assert.StartsWith(
                $"Worker 0 could not start: its initializer {typeof(ThrowingInitializer).FullName} threw System.InvalidOperationException: the model file is missing No item can run until a worker starts;",
                ex.Message,
                StringComparison.Ordinal);
            var inner = Assert.IsType<WorkloadException>(ex.InnerException);
            Assert.Equal("System.InvalidOperationException", inner.RemoteExceptionType);
            Assert.Contains($"{typeof(ThrowingInitializer).FullName}.Initialize", inner.RemoteStackTrace, StringComparison.Ordinal);

            // Within the back-off, later items fail at once with the same error, without starting a worker.
            var again = await Assert.ThrowsAsync<InvalidOperationException>(() => pool.SubmitAsync(new AddOne(), 2).Bounded());
            Assert.Same(ex, again);
            Assert.Equal(1, PoolOf(pool).WorkersStarted);
            var start = await Assert.ThrowsAsync<InvalidOperationException>(() => PoolOf(pool).StartWorkersAsync().Bounded());
            Assert.Equal(ex.Message, start.Message);
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task SubmitAsync_Initializer_RunsOnceInEachWorkerBeforeItsItems()
    {
        await using (var pool = _kind.Create(workers: 1, o => o.WorkerInitializer = typeof(MarkingInitializer)))
        {
            var (workerId, _) = await pool.SubmitAsync(new WhereAmI(), 0).Bounded();
            Assert.Equal(workerId, await pool.SubmitAsync(new ReadInitializer(), 0).Bounded());
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task StartWorkersAsync_BeforeAnyItem_StartsEveryWorker()
    {
        await using (var pool = _kind.Create(workers: 2))
        {
            Assert.Empty(PoolOf(pool).WorkerProcessIds);
            await PoolOf(pool).StartWorkersAsync().Bounded();
            Assert.Equal(2, PoolOf(pool).ReadyWorkerIds.Count);
            Assert.Equal(2, LeakCheck.ChildrenWithCommandLine("--concurrency-worker").Count);
            Assert.Equal(2, PoolOf(pool).WorkersStarted);
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task SubmitAsync_ThreadsPerWorker_RunsItemsConcurrentlyInsideOneProcess()
    {
        await using (var pool = _kind.Create(workers: 2, o => o.ThreadsPerWorker = 2))
        {
            Assert.Equal(2, pool.MaxConcurrency);
            var results = await Task.WhenAll(pool.SubmitAsync(new Rendezvous(), 0), pool.SubmitAsync(new Rendezvous(), 1)).Bounded();

            Assert.All(results, r => Assert.True(r.Met));
            Assert.Equal(results[0].Pid, results[1].Pid);
            Assert.Single(PoolOf(pool).WorkerProcessIds);
        }

        PoolKind.AssertNothingLeft();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task MapAsync_ManyItems_NeverRunsMoreThanMaxConcurrencyAtOnce(int threadsPerWorker)
    {
        await using (var pool = _kind.Create(workers: 2, o => o.ThreadsPerWorker = threadsPerWorker))
        {
            var spans = await pool.MapAsync(new TimedSleep(), Enumerable.Repeat(15, 24), new MapOptions { BatchSize = 1, Ordered = false }).ToListBounded();

            var events = spans.SelectMany(s => new[] { (s.Start, 1), (s.End, -1) }).OrderBy(e => e.Item1).ThenBy(e => e.Item2);
            var running = 0;
            var most = 0;
            foreach (var (_, delta) in events)
            {
                running += delta;
                most = Math.Max(most, running);
            }

            Assert.True(most <= 2, $"{most} items ran at once");
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task MapAsync_RecyclingWhileBatchesAreInFlightOnSeveralThreads_LosesAndDuplicatesNothing()
    {
        await using (var pool = _kind.Create(workers: 2, o => { o.ThreadsPerWorker = 2; o.MaxItemsPerWorker = 5; }))
        {
            var results = await pool.MapOutcomesAsync(new MaybeCrash(), Enumerable.Range(0, 200).Select(i => (i, CrashMode.None)), new MapOptions { BatchSize = 3 }).ToListBounded();

            Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), results.Select(r => r.Index));
            Assert.All(results, r => Assert.Equal(r.Index * 2, r.Result));
            Assert.True(PoolOf(pool).WorkersStarted >= 200 / 6, $"only {PoolOf(pool).WorkersStarted} workers started");
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task SubmitAsync_CrashWithThreadsPerWorker_FailsEveryItemRunningInThatWorker()
    {
        await using (var pool = _kind.Create(workers: 2, o => o.ThreadsPerWorker = 2))
        {
            var (workerId, _) = await pool.SubmitAsync(new WhereAmI(), 0).Bounded();
            var bystander = pool.SubmitAsync(new SpinForever(), 0);
            Assert.True(await TestSupport.EventuallyAsync(() => PoolOf(pool).RunningItems == 1));

            var crash = await Assert.ThrowsAsync<WorkerCrashedException>(() => pool.SubmitAsync(new Crash(), CrashMode.Exit42).Bounded());
            var other = await Assert.ThrowsAsync<WorkerCrashedException>(() => bystander.Bounded());

            Assert.Equal(workerId, crash.WorkerId);
            Assert.Equal(workerId, other.WorkerId);
            Assert.Equal(42, other.ExitCode);
            Assert.Equal($"Worker {workerId} exited with code 42 ({ProcessPoolExecutor.DescribeExit(42)}) while running an item of {typeof(SpinForever).FullName}; the worker was replaced.", other.Message);
            Assert.Equal(2, await pool.SubmitAsync(new AddOne(), 1).Bounded());
        }

        PoolKind.AssertNothingLeft();
    }

    [Fact]
    public async Task DisposeAsync_ItemIgnoresCancellationPastShutdown_IsKilledAndNothingIsLeft()
    {
        var pool = _kind.Create(workers: 1, o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200));
        var running = pool.SubmitAsync(new SpinForever(), 0);
        Assert.True(await TestSupport.EventuallyAsync(() => PoolOf(pool).RunningItems == 1));
        var queued = pool.SubmitAsync(new AddOne(), 0);

        await pool.DisposeAsync().Bounded();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.Bounded());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.Bounded());
        PoolKind.AssertNothingLeft();
        Assert.Empty(LeakCheck.SharedMemoryFiles("concurrency-progress-"));
    }

    [Fact]
    public async Task Worker_OutputOfTheWorkload_ReachesTheLoggerAndNeverTheProtocol()
    {
        var loggers = new CapturingLoggerFactory();
        await using (var pool = _kind.Create(workers: 1, loggers: loggers))
        {
            Assert.Equal(5, await pool.SubmitAsync(new Chatty(), "hello").Bounded());
            Assert.Equal(2, await pool.SubmitAsync(new AddOne(), 1).Bounded());
            Assert.True(await TestSupport.EventuallyAsync(() => loggers.Entries.Count(e => e.Category == "Concurrency.Processes.Worker") >= 3));
        }

        var lines = loggers.Entries.Where(e => e.Category == "Concurrency.Processes.Worker").Select(e => e.Message).ToList();
        Assert.Contains("Worker 0: stdout says hello", lines);
        Assert.Contains("Worker 0: stderr says hello", lines);
        Assert.Contains("Worker 0: native fd 1 says hello", lines);
    }

    /// <summary>
    /// Maps 10 items in one batch, item 3 returning a result shaped by <paramref name="mode"/>; asserts that every other item
    /// succeeded, that each item ran exactly once, and how many workers started. Returns item 3's exception.
    /// </summary>
    private async Task<Exception?> MapWithAPoisonedResultAsync(ResultMode mode, int workersStarted)
    {
        var dir = Directory.CreateTempSubdirectory("runs-").FullName;
        try
        {
            Exception? failure;
            await using (var pool = _kind.Create(workers: 1))
            {
                var inputs = Enumerable.Range(0, 10).Select(i => (dir, i, i == 3 ? mode : ResultMode.Plain)).ToList();

                var outcomes = await pool.MapOutcomesAsync(new RecordRuns(), inputs, new MapOptions { BatchSize = 10 }).ToListBounded();

                failure = outcomes[3].Exception;
                Assert.All(outcomes.Where(o => o.Index != 3), o => Assert.Equal((int)o.Index, o.Result!.Value));
                Assert.Equal(Enumerable.Repeat(1, 10), RecordRuns.RunsPerItem(dir, 10));
                Assert.Equal(workersStarted, PoolOf(pool).WorkersStarted);
            }

            PoolKind.AssertNothingLeft();
            return failure;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private ProcessPoolExecutor PoolOf(IWorkExecutor executor) => _kind.PoolOf(executor);
}
