using System.Runtime.CompilerServices;

namespace Concurrency.Conformance.Tests;

/// <summary>
/// The semantics every executor keeps (DESIGN.md, "Semantics every executor keeps"), written once and run
/// against every executor through a subclass that says how to create it.
/// </summary>
public abstract class ExecutorConformanceTests
{
    /// <summary>The bound on every wait in this suite: a broken executor fails the test instead of hanging it.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Creates the executor under test with the given concurrency bound.</summary>
    protected abstract IWorkExecutor CreateExecutor(int maxConcurrency);

    /// <summary>Asserts that a disposed executor left nothing behind: no thread, no child process, no file.</summary>
    protected abstract void AssertNothingLeftBehind(IWorkExecutor executor);

    /// <summary>Gets a value indicating whether the executor under test was allowed to run continuations on its own threads (and does).</summary>
    protected virtual bool ContinuationsMayRunOnExecutorThreads => false;

    private async Task WithExecutorAsync(int maxConcurrency, Func<IWorkExecutor, Task> test)
    {
        var executor = CreateExecutor(maxConcurrency);
        try
        {
            await test(executor).WaitAsync(Patience);
        }
        finally
        {
            await executor.DisposeAsync().AsTask().WaitAsync(Patience);
        }

        AssertNothingLeftBehind(executor);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }

    [Fact]
    public Task SubmitAsync_Workload_ReturnsSameResultAsSequential() => WithExecutorAsync(2, async executor =>
    {
        var workload = new ShiftPointWorkload { Offset = 10 };
        var input = new Point(1, 2, "abc");

        var result = await executor.SubmitAsync(workload, input);

        Assert.Equal(workload.Execute(input, new WorkContext(0)), result);
        Assert.Equal(new Point(11, 12, "ABC"), result);
    });

    [Fact]
    public Task MapAsync_ManyItems_YieldsResultsInInputOrder() => WithExecutorAsync(2, async executor =>
    {
        var inputs = Enumerable.Range(-500, 1000).ToArray();

        var results = await ToListAsync(executor.MapAsync(new SquareWorkload(), inputs));

        Assert.Equal(inputs.Select(x => (long)x * x), results);
    });

    [Fact]
    public Task MapAsync_AsyncSource_YieldsResultsInInputOrder() => WithExecutorAsync(2, async executor =>
    {
        var results = await ToListAsync(executor.MapAsync(new SquareWorkload(), SlowSourceAsync(200)));

        Assert.Equal(Enumerable.Range(0, 200).Select(x => (long)x * x), results);
    });

    [Fact]
    public Task MapAsync_FixedBatchSize_YieldsEveryResultInOrder() => WithExecutorAsync(2, async executor =>
    {
        var inputs = Enumerable.Range(0, 1001).ToList();

        var results = await ToListAsync(executor.MapAsync(new IncrementWorkload(), inputs, new MapOptions { BatchSize = 64 }));

        Assert.Equal(inputs.Select(x => x + 1), results);
    });

    [Fact]
    public Task MapAsync_HundredThousandItems_YieldsEveryResultInOrder() => WithExecutorAsync(2, async executor =>
    {
        var results = await ToListAsync(executor.MapAsync(new IncrementWorkload(), Enumerable.Range(0, 100_000)));

        Assert.Equal(100_000, results.Count);
        Assert.Equal(Enumerable.Range(1, 100_000), results);
    });

    [Fact]
    public Task MapAsync_EmptyInput_YieldsNothing() => WithExecutorAsync(2, async executor =>
    {
        Assert.Empty(await ToListAsync(executor.MapAsync(new SquareWorkload(), Array.Empty<int>())));
        Assert.Empty(await ToListAsync(executor.MapAsync(new SquareWorkload(), Enumerable.Empty<int>().Where(x => x > 0))));
        Assert.Empty(await ToListAsync(executor.MapAsync(new SquareWorkload(), SlowSourceAsync(0))));
    });

    [Fact]
    public Task MapAsync_Unordered_YieldsFastItemsBeforeABlockedOne() => WithExecutorAsync(2, async executor =>
    {
        using var signals = new SignalDirectory();
        var inputs = Enumerable.Range(0, 20).Select(i => new SignalInput(signals.Path, i, Block: i == 0)).ToArray();
        var seen = new List<int>();

        await foreach (var id in executor.MapAsync(new SignalWorkload(), inputs, new MapOptions { Ordered = false, BatchSize = 1 }))
        {
            seen.Add(id);
            if (seen.Count == inputs.Length - 1)
            {
                // Every fast item arrived while item 0 still blocks: now let it finish.
                Assert.DoesNotContain(0, seen);
                signals.Mark("release");
            }
        }

        Assert.Equal(Enumerable.Range(0, 20), seen.Order());
        Assert.Equal(0, seen[^1]);
    });

    [Fact]
    public Task MapAsync_Unordered_YieldsEachResultExactlyOnce() => WithExecutorAsync(2, async executor =>
    {
        var results = await ToListAsync(executor.MapAsync(new SquareWorkload(), Enumerable.Range(0, 5000), new MapOptions { Ordered = false }));

        Assert.Equal(Enumerable.Range(0, 5000).Select(x => (long)x * x), results.Order());
    });

    [Fact]
    public Task SubmitAsync_WorkloadThrows_FailsWithWorkloadExceptionCarryingTypeMessageAndStack() => WithExecutorAsync(2, async executor =>
    {
        var workload = new ThrowingWorkload { FailOn = 7 };

        var error = await Assert.ThrowsAsync<WorkloadException>(() => executor.SubmitAsync(workload, 7));

        Assert.Equal("System.ArgumentException", error.RemoteExceptionType);
        Assert.Equal($"Workload {typeof(ThrowingWorkload).FullName} threw System.ArgumentException: input 7 is not acceptable", error.Message);
        Assert.NotNull(error.RemoteStackTrace);
        Assert.Contains("ThrowingWorkload.ThrowFor", error.RemoteStackTrace);
        Assert.Contains("ThrowingWorkload.Execute", error.RemoteStackTrace);

        // The executor carries on.
        Assert.Equal(8, await executor.SubmitAsync(workload, 8));
    });

    [Fact]
    public Task MapAsync_OneItemThrows_YieldsItemsBeforeItThenThrowsWorkloadException() => WithExecutorAsync(2, async executor =>
    {
        var workload = new ThrowingWorkload { FailOn = 50 };
        var seen = new List<int>();

        var error = await Assert.ThrowsAsync<WorkloadException>(async () =>
        {
            await foreach (var value in executor.MapAsync(workload, Enumerable.Range(0, 100)))
            {
                seen.Add(value);
            }
        });

        Assert.Equal(Enumerable.Range(0, 50), seen);
        Assert.Equal("System.ArgumentException", error.RemoteExceptionType);
        Assert.Contains("input 50 is not acceptable", error.Message);

        // Other work goes on after the failed map.
        Assert.Equal(Enumerable.Range(0, 10), await ToListAsync(executor.MapAsync(workload, Enumerable.Range(0, 10))));
    });

    [Fact]
    public Task MapOutcomesAsync_SomeItemsThrow_YieldsEveryOutcomeWithItsIndex() => WithExecutorAsync(2, async executor =>
    {
        var workload = new ThrowingWorkload { FailOn = 3 };

        var outcomes = await ToListAsync(executor.MapOutcomesAsync(workload, Enumerable.Range(0, 10)));

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), outcomes.Select(o => o.Index));
        Assert.All(outcomes.Where(o => o.Index != 3), o => Assert.Equal(o.Index, o.GetResultOrThrow()));
        Assert.IsType<WorkloadException>(outcomes[3].Exception);
        Assert.False(outcomes[3].Succeeded);
    });

    [Fact]
    public Task SubmitAsync_TokenCancelledWhileQueued_CancelsAtOnce() => WithExecutorAsync(1, async executor =>
    {
        using var signals = new SignalDirectory();
        using var blockerCts = new CancellationTokenSource();
        var blocker = executor.SubmitAsync(new SignalWorkload(), new SignalInput(signals.Path, 0, Block: true), blockerCts.Token);
        await FileSignals.WaitUntilAsync(() => signals.IsMarked("started-0"), "the blocker runs");

        using var cts = new CancellationTokenSource();
        var queued = executor.SubmitAsync(new SignalWorkload(), new SignalInput(signals.Path, 1, Block: false), cts.Token);
        await cts.CancelAsync();

        // Cancelled while the only worker is still busy: the queued item never waits for it.
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        Assert.True(queued.IsCanceled);
        Assert.Equal(cts.Token, error.CancellationToken);
        Assert.False(blocker.IsCompleted);

        signals.Mark("release");
        Assert.Equal(0, await blocker);
        Assert.False(signals.IsMarked("started-1"));
    });

    [Fact]
    public Task SubmitAsync_TokenCancelledWhileRunning_SignalsTheWorkloadAndCancelsTheTask() => WithExecutorAsync(1, async executor =>
    {
        using var signals = new SignalDirectory();
        using var cts = new CancellationTokenSource();
        var running = executor.SubmitAsync(new SignalWorkload(), new SignalInput(signals.Path, 0, Block: true), cts.Token);
        await FileSignals.WaitUntilAsync(() => signals.IsMarked("started-0"), "the item runs");

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.True(running.IsCanceled);
        await FileSignals.WaitUntilAsync(() => signals.IsMarked("cancelled-0"), "the workload saw its token cancelled");

        // The worker serves the next item.
        Assert.Equal(25L, await executor.SubmitAsync(new SquareWorkload(), 5));
    });

    [Fact]
    public Task SubmitAsync_TokenAlreadyCancelled_ReturnsCanceledTask() => WithExecutorAsync(1, async executor =>
    {
        var task = executor.SubmitAsync(new SquareWorkload(), 3, new CancellationToken(canceled: true));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.True(task.IsCanceled);
    });

    [Fact]
    public Task MapAsync_TokenCancelled_ThrowsOperationCanceledAndCancelsRunningItems() => WithExecutorAsync(2, async executor =>
    {
        using var signals = new SignalDirectory();
        using var cts = new CancellationTokenSource();
        var inputs = Enumerable.Range(0, 6).Select(i => new SignalInput(signals.Path, i, Block: true));

        var map = ToListAsync(executor.MapAsync(new SignalWorkload(), inputs, new MapOptions { BatchSize = 1 }, cts.Token));
        await FileSignals.WaitUntilAsync(() => signals.Count("started-") == 2, "two items run");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => map);
        await FileSignals.WaitUntilAsync(() => signals.Count("cancelled-") == 2, "both running items saw their token cancelled");
        await executor.DisposeAsync();
        Assert.Equal(2, signals.Count("started-"));
    });

    [Fact]
    public Task MapAsync_EnumerationAbandoned_CancelsQueuedAndRunningItems() => WithExecutorAsync(2, async executor =>
    {
        using var signals = new SignalDirectory();
        var inputs = Enumerable.Range(0, 11).Select(i => new SignalInput(signals.Path, i, Block: i > 0)).ToArray();

        await foreach (var first in executor.MapAsync(new SignalWorkload(), inputs, new MapOptions { BatchSize = 1 }))
        {
            Assert.Equal(0, first);
            await FileSignals.WaitUntilAsync(() => signals.Count("started-") == 3, "two blocked items run");
            break;
        }

        await FileSignals.WaitUntilAsync(() => signals.Count("cancelled-") == 2, "both running items saw their token cancelled");

        // Once the executor is gone nothing more can start: the eight queued items never ran.
        await executor.DisposeAsync();
        Assert.Equal(3, signals.Count("started-"));
    });

    [Fact]
    public Task MapAsync_MaxInFlight_NeverPullsMoreThanThatAheadOfTheConsumer() => WithExecutorAsync(2, async executor =>
    {
        const int maxInFlight = 4;
        var source = new CountingSource(100);
        var consumed = 0;

        await foreach (var value in executor.MapAsync(new IncrementWorkload(), source.ReadAsync(() => Volatile.Read(ref consumed)), new MapOptions { MaxInFlight = maxInFlight }))
        {
            // An input counts as consumed once its result has been handed to the consumer.
            Volatile.Write(ref consumed, consumed + 1);
            Assert.Equal(consumed, value);
            if (consumed == 1)
            {
                // While the consumer holds the first result (still in flight), the map pulls up to the bound.
                await source.PulledAtLeastAsync(maxInFlight).WaitAsync(Patience);
            }
        }

        Assert.Equal(100, consumed);
        Assert.True(source.MaxAhead <= maxInFlight, $"The map pulled {source.MaxAhead} inputs ahead of the consumer; the bound is {maxInFlight}.");
    });

    [Fact]
    public Task MapAsync_ManyItems_NeverRunsMoreThanMaxConcurrencyAtOnce() => WithExecutorAsync(2, async executor =>
    {
        using var signals = new SignalDirectory();
        var inputs = Enumerable.Range(0, 12).Select(i => new ConcurrencyProbeInput(signals.Path, i, HoldMilliseconds: 50, Rendezvous: 2));

        // The first items wait for each other, so two run at once however late the second worker comes up.
        var seen = await ToListAsync(executor.MapAsync(new ConcurrencyProbeWorkload(), inputs, new MapOptions { BatchSize = 1, Ordered = false }));

        Assert.Equal(12, seen.Count);
        Assert.True(seen.Max() <= executor.MaxConcurrency, $"Saw {seen.Max()} items running at once; MaxConcurrency is {executor.MaxConcurrency}.");
        Assert.Equal(2, seen.Max());
    });

    [Fact]
    public Task SubmitAsync_ContinuationSubmitsAndWaitsSynchronously_DoesNotDeadlock() => WithExecutorAsync(1, async executor =>
    {
        // With one worker, code after the await that ran on the executor's own thread and blocked on more work would
        // deadlock: nothing else could deliver the second result.
        using var signals = new SignalDirectory();
        var first = executor.SubmitAsync(new SignalWorkload(), new SignalInput(signals.Path, 3, Block: true));

        async Task<(long Result, bool OnThreadPool)> ThenSquareAsync()
        {
            var id = await first.ConfigureAwait(false);
            var onThreadPool = Thread.CurrentThread.IsThreadPoolThread;
            if (!onThreadPool && ContinuationsMayRunOnExecutorThreads)
            {
                // The executor was told it may (AllowSynchronousContinuations): blocking here is the caller's documented
                // mistake, so only the non-blocking form is checked.
                return (await executor.SubmitAsync(new SquareWorkload(), id).ConfigureAwait(false), onThreadPool);
            }

            return (executor.SubmitAsync(new SquareWorkload(), id).GetAwaiter().GetResult(), onThreadPool);
        }

        // The continuation is registered before the first item may finish: it waits for "release".
        var continued = ThenSquareAsync();
        signals.Mark("release");
        var (nested, ranOnThreadPool) = await continued.WaitAsync(Patience);

        Assert.Equal(9L, nested);
        Assert.NotEqual(ContinuationsMayRunOnExecutorThreads, ranOnThreadPool);
    });

    [Fact]
    public Task SubmitAsync_ManyConcurrentSubmissions_EachGetsItsOwnResult() => WithExecutorAsync(2, async executor =>
    {
        var tasks = Enumerable.Range(0, 500).Select(i => executor.SubmitAsync(new SquareWorkload(), i)).ToArray();

        var results = await Task.WhenAll(tasks);

        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i * i), results);
    });

    [Fact]
    public Task WorkContext_WorkerId_IsBoundedByTheWorkersAndDiffersBetweenItemsRunningAtOnce() => WithExecutorAsync(2, async executor =>
    {
        var ids = await ToListAsync(executor.MapAsync(new WorkerIdWorkload(), Enumerable.Range(0, 200), new MapOptions { BatchSize = 1 }));

        Assert.All(ids, id => Assert.True(id >= 0, $"Worker id {id} is negative."));
        Assert.InRange(ids.Distinct().Count(), 1, executor.MaxConcurrency);

        // Two items that are known to run at the same time (the first waits for the second) run on two different workers.
        using var signals = new SignalDirectory();
        var pair = await ToListAsync(executor.MapAsync(
            new RendezvousWorkerIdWorkload(),
            [new ConcurrencyProbeInput(signals.Path, 0, HoldMilliseconds: 0, Rendezvous: 2), new ConcurrencyProbeInput(signals.Path, 1, HoldMilliseconds: 0, Rendezvous: 2)],
            new MapOptions { BatchSize = 1, Ordered = false }));
        Assert.NotEqual(pair[0], pair[1]);
    });

    [Fact]
    public async Task DisposeAsync_Then_SubmitAndMapThrowObjectDisposedAndNothingIsLeft()
    {
        var executor = CreateExecutor(2);
        Assert.Equal(4L, await executor.SubmitAsync(new SquareWorkload(), 2).WaitAsync(Patience));

        await executor.DisposeAsync().AsTask().WaitAsync(Patience);
        await executor.DisposeAsync().AsTask().WaitAsync(Patience);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => executor.SubmitAsync(new SquareWorkload(), 2));
        Assert.Throws<ObjectDisposedException>(() => executor.MapAsync(new SquareWorkload(), [1, 2]));
        Assert.Throws<ObjectDisposedException>(() => executor.MapAsync(new SquareWorkload(), SlowSourceAsync(2)));
        AssertNothingLeftBehind(executor);
    }

    [Fact]
    public async Task DisposeAsync_ConcurrentCalls_EachReturnsTheOneShutdownAndNothingIsLeft()
    {
        const int Callers = 8;
        var executor = CreateExecutor(2);
        Assert.Equal(4L, await executor.SubmitAsync(new SquareWorkload(), 2).WaitAsync(Patience));

        // Callers released together, so that some arrive while the first is still inside the start of the shutdown.
        using var together = new Barrier(Callers);
        var disposals = Enumerable.Range(0, Callers)
            .Select(_ => Task.Factory.StartNew(
                () =>
                {
                    together.SignalAndWait(Patience);
                    return executor.DisposeAsync().AsTask();
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap())
            .ToArray();

        // Whichever caller's task completes first, the shutdown is over for everyone.
        await (await Task.WhenAny(disposals).WaitAsync(Patience));
        AssertNothingLeftBehind(executor);
        await Task.WhenAll(disposals).WaitAsync(Patience);
    }

    [Fact]
    public async Task DisposeAsync_WhileItemsQueued_LetsTheRunningItemFinishAndCancelsTheQueued()
    {
        using var signals = new SignalDirectory();
        var executor = CreateExecutor(1);
        var running = executor.SubmitAsync(new SignalWorkload(), new SignalInput(signals.Path, 0, Block: true));
        await FileSignals.WaitUntilAsync(() => signals.IsMarked("started-0"), "the first item runs");
        var queued = executor.SubmitAsync(new SignalWorkload(), new SignalInput(signals.Path, 1, Block: false));

        var disposing = executor.DisposeAsync().AsTask();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(Patience));
        Assert.False(disposing.IsCompleted);
        signals.Mark("release");

        Assert.Equal(0, await running.WaitAsync(Patience));
        await disposing.WaitAsync(Patience);
        Assert.False(signals.IsMarked("started-1"));
        AssertNothingLeftBehind(executor);
    }

    [Fact]
    public async Task Arguments_Null_ThrowArgumentNullException()
    {
        var executor = CreateExecutor(1);
        try
        {
            Assert.Throws<ArgumentNullException>("workload", () => { _ = executor.SubmitAsync<int, long>(null!, 1); });
            Assert.Throws<ArgumentNullException>("workload", () => executor.MapAsync<int, long>(null!, [1]));
            Assert.Throws<ArgumentNullException>("inputs", () => executor.MapAsync(new SquareWorkload(), (IEnumerable<int>)null!));
            Assert.Throws<ArgumentNullException>("inputs", () => executor.MapAsync(new SquareWorkload(), (IAsyncEnumerable<int>)null!));
        }
        finally
        {
            await executor.DisposeAsync().AsTask().WaitAsync(Patience);
        }
    }

    [Fact]
    public Task MaxConcurrency_IsWhatWasAskedFor() => WithExecutorAsync(2, executor =>
    {
        Assert.Equal(2, executor.MaxConcurrency);
        Assert.False(string.IsNullOrEmpty(executor.Name));
        return Task.CompletedTask;
    });

    private static async IAsyncEnumerable<int> SlowSourceAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (i % 16 == 0)
            {
                await Task.Yield();
            }

            yield return i;
        }
    }

    /// <summary>An asynchronous source that records how far ahead of the consumer it was pulled.</summary>
    private sealed class CountingSource(int count)
    {
        private readonly Lock _lock = new();
        private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
        private int _pulled;

        public int MaxAhead { get; private set; }

        public Task PulledAtLeastAsync(int pulled)
        {
            lock (_lock)
            {
                if (_pulled >= pulled)
                {
                    return Task.CompletedTask;
                }

                var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((pulled, signal));
                return signal.Task;
            }
        }

        public async IAsyncEnumerable<int> ReadAsync(Func<int> consumed, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < count; i++)
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                lock (_lock)
                {
                    _pulled++;
                    MaxAhead = Math.Max(MaxAhead, _pulled - consumed());
                    foreach (var waiter in _waiters.Where(w => w.Count <= _pulled).ToList())
                    {
                        waiter.Signal.TrySetResult();
                        _waiters.Remove(waiter);
                    }
                }

                yield return i;
            }
        }
    }
}
