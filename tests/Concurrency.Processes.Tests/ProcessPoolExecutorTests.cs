using Concurrency.Testing;

namespace Concurrency.Processes.Tests;

/// <summary>The ordinary semantics every executor keeps, on the process pool.</summary>
public sealed class ProcessPoolExecutorTests : IAsyncLifetime
{
    private ProcessPoolExecutor _pool = null!;

    public Task InitializeAsync()
    {
        _pool = TestSupport.Pool(workers: 2);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _pool.DisposeAsync();
        TestSupport.AssertNoWorkers();
    }

    [Fact]
    public async Task SubmitAsync_SimpleWorkload_ReturnsResult()
    {
        Assert.Equal(42, await _pool.SubmitAsync(new AddOne(), 41).Bounded());
        Assert.Equal(ExecutorCapabilities.IsolatesFailures | ExecutorCapabilities.HardCancellation, _pool.Capabilities);
        Assert.Equal(2, _pool.MaxConcurrency);
        Assert.Equal("Processes", _pool.Name);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SubmitAsync_AllowSynchronousContinuations_DecidesWhereTheAwaitingCodeContinues(bool allow)
    {
        var gate = Path.Combine(Path.GetTempPath(), $"concurrency-gate-{Guid.NewGuid():N}");
        try
        {
            await using var pool = TestSupport.Pool(workers: 1, o => o.AllowSynchronousContinuations = allow);
            var item = pool.SubmitAsync(new WaitForFile(), gate);

            // Registered before the item can finish: it waits for the gate.
            var continuation = item.ContinueWith(
                _ => (Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread, Next: pool.SubmitAsync(new AddOne(), 1)),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            File.WriteAllBytes(gate, []);
            var (thread, onThreadPool, next) = await continuation.Bounded();

            Assert.Equal(1, await item.Bounded());
            Assert.Equal(2, await next.Bounded());
            if (allow)
            {
                // On the thread that read the result, once the pool was done with it: the next item went to the same worker.
                Assert.Matches(@"^Concurrency worker \d+ reader$", thread);
                Assert.False(onThreadPool);
            }
            else
            {
                Assert.True(onThreadPool);
            }
        }
        finally
        {
            File.Delete(gate);
        }

        TestSupport.AssertNoWorkers();
    }

    [Fact]
    public async Task MapAsync_Ordered_YieldsInInputOrder()
    {
        var results = await _pool.MapAsync(new AddOne(), Enumerable.Range(0, 20_000)).ToListBounded();
        Assert.Equal(Enumerable.Range(1, 20_000), results);
    }

    [Fact]
    public async Task MapAsync_Unordered_YieldsEveryResultOnce()
    {
        var results = await _pool.MapAsync(new AddOne(), Enumerable.Range(0, 5_000), new MapOptions { Ordered = false }).ToListBounded();
        Assert.Equal(Enumerable.Range(1, 5_000), results.Order());
    }

    [Fact]
    public async Task MapAsync_100000TinyItems_AllCorrect()
    {
        long sum = 0;
        var count = 0;
        await foreach (var result in _pool.MapAsync(new AddOne(), Enumerable.Range(0, 100_000)).WithCancellation(new CancellationTokenSource(TestSupport.Timeout).Token))
        {
            sum += result;
            count++;
        }

        Assert.Equal(100_000, count);
        Assert.Equal(Enumerable.Range(1, 100_000).Sum(i => (long)i), sum);
    }

    [Fact]
    public async Task MapAsync_AsyncSourceWithMaxInFlight_NeverPullsFurtherAhead()
    {
        var pulled = 0;
        var consumed = 0;
        var maxAhead = 0;
        async IAsyncEnumerable<int> Source()
        {
            for (var i = 0; i < 200; i++)
            {
                await Task.Yield();
                var ahead = Interlocked.Increment(ref pulled) - Volatile.Read(ref consumed);
                maxAhead = Math.Max(maxAhead, ahead);
                yield return i;
            }
        }

        await foreach (var result in _pool.MapAsync(new AddOne(), Source(), new MapOptions { MaxInFlight = 8 }))
        {
            Interlocked.Increment(ref consumed);
            Assert.Equal(consumed, result);
        }

        // The engine gives a permit back as it hands an item out, a moment before this loop counts it: one more may be pulled then.
        Assert.True(maxAhead <= 8 + 1, $"pulled {maxAhead} inputs ahead of the consumer");
    }

    [Fact]
    public async Task SubmitAsync_WorkloadThrows_WorkloadExceptionLikeInProcess()
    {
        var ex = await Assert.ThrowsAsync<WorkloadException>(() => _pool.SubmitAsync(new Throws(), "x").Bounded());
        Assert.Equal($"Workload {typeof(Throws).FullName} threw System.ArgumentException: bad input x", ex.Message);
        Assert.Equal("System.ArgumentException", ex.RemoteExceptionType);
        Assert.Contains($"{typeof(Throws).FullName}.Execute", ex.RemoteStackTrace, StringComparison.Ordinal);
        Assert.Equal(1, await _pool.SubmitAsync(new Throws(), "ok").Bounded());
    }

    [Fact]
    public async Task MapOutcomesAsync_SomeItemsThrow_OthersComplete()
    {
        var inputs = new[] { "ok", "a", "ok", "b", "ok" };
        var outcomes = await _pool.MapOutcomesAsync(new Throws(), inputs).ToListBounded();
        Assert.Equal([0L, 1, 2, 3, 4], outcomes.Select(o => o.Index));
        Assert.Equal([true, false, true, false, true], outcomes.Select(o => o.Succeeded));
        Assert.IsType<WorkloadException>(outcomes[1].Exception);
        Assert.Equal($"Workload {typeof(Throws).FullName} threw System.ArgumentException: bad input b", outcomes[3].Exception!.Message);
    }

    [Fact]
    public async Task SubmitAsync_RecordsTuplesListsDictionariesAndArrays_RoundTrip()
    {
        var shape = new Shape("square", [new(0, 0), new(2, 0), new(2, 2), new(0, 2)], new() { ["a"] = 1, ["b"] = 2 }, (7, "seven"), [1.5, 2.5]);
        var (center, name, tags, sum) = await _pool.SubmitAsync(new Centroid(), shape).Bounded();
        Assert.Equal(new Point(1, 1), center);
        Assert.Equal("square", name);
        Assert.Equal(3, tags);
        Assert.Equal(4.0, sum);
    }

    [Fact]
    public async Task SubmitAsync_LargeDoubleArray_RoundTripsBitForBit()
    {
        var input = new double[1_000_000];
        var random = new Random(1);
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = random.NextDouble() * 1e6;
        }

        input[3] = double.NaN;
        input[4] = double.NegativeInfinity;
        var result = await _pool.SubmitAsync(new Reverse(), input).Bounded();
        Assert.Equal(input.Reverse(), result);
    }

    [Fact]
    public async Task SubmitAsync_WorkloadProperties_TravelWithTheWorkload()
    {
        Assert.Equal(21L, await _pool.SubmitAsync(new Multiply { Factor = 7 }, 3).Bounded());
        var workload = new Multiply { Factor = 2 };
        Assert.Equal(6L, await _pool.SubmitAsync(workload, 3).Bounded());
        workload.Factor = 5;
        Assert.Equal(15L, await _pool.SubmitAsync(workload, 3).Bounded());
    }

    [Fact]
    public async Task SubmitAsync_WorkContext_CarriesTheWorkerIdOfAChildProcess()
    {
        var results = await _pool.MapAsync(new WhereAmI(), Enumerable.Range(0, 50), new MapOptions { BatchSize = 1 }).ToListBounded();
        var ready = _pool.ReadyWorkerIds;
        Assert.All(results, r => Assert.Contains(r.WorkerId, ready));
        Assert.All(results, r => Assert.Equal(Environment.ProcessId, LeakCheck.ParentOf(r.Pid)));
        Assert.Equal(results.Select(r => r.Pid).Distinct().Count(), results.Select(r => r.WorkerId).Distinct().Count());
    }

    [Fact]
    public async Task SubmitAsync_Continuation_RunsOnTheThreadPoolNotOnAPoolThread()
    {
        var onThreadPool = await _pool.SubmitAsync(new AddOne(), 1)
            .ContinueWith(_ => (Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name), TaskContinuationOptions.ExecuteSynchronously)
            .Bounded();
        Assert.True(onThreadPool.IsThreadPoolThread);
        Assert.DoesNotContain("Concurrency", onThreadPool.Name ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_QueuedItemCancelled_IsCancelledAtOnce()
    {
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var running = new[] { _pool.SubmitAsync(new SpinUntilCancelled(), 0, first.Token), _pool.SubmitAsync(new SpinUntilCancelled(), 0, first.Token) };
        Assert.True(await TestSupport.EventuallyAsync(() => _pool.RunningItems == 2));
        var queued = _pool.SubmitAsync(new AddOne(), 1, second.Token);
        await second.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.Bounded());
        Assert.True(queued.IsCanceled);

        await first.CancelAsync();
        foreach (var task in running)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task.Bounded());
            Assert.True(task.IsCanceled);
        }

        Assert.Equal(2, await _pool.SubmitAsync(new AddOne(), 1).Bounded());
    }

    [Fact]
    public async Task MapAsync_Abandoned_CancelsRunningItemsAndFreesTheWorkers()
    {
        var ids = _pool.ReadyWorkerIds;
        await using (var enumerator = _pool.MapAsync(new SpinIfPositive(), [0, 1, 1, 1, 1, 1], new MapOptions { BatchSize = 1 }).GetAsyncEnumerator())
        {
            Assert.True(await enumerator.MoveNextAsync().AsTask().Bounded());
            Assert.Equal(0, enumerator.Current);
        }

        // The spinning items observe their token: no worker needs to be killed.
        Assert.Equal(2, await _pool.SubmitAsync(new AddOne(), 1).Bounded());
        Assert.True(await TestSupport.EventuallyAsync(() => _pool.RunningItems == 0));
        Assert.Equal(2, _pool.WorkersStarted);
    }

    [Fact]
    public async Task DisposeAsync_ThenSubmit_ThrowsObjectDisposedException()
    {
        Assert.Equal(2, await _pool.SubmitAsync(new AddOne(), 1).Bounded());
        await _pool.DisposeAsync();
        TestSupport.AssertNoWorkers();
        Assert.Throws<ObjectDisposedException>(() => { _ = _pool.SubmitAsync(new AddOne(), 1); });
        Assert.Throws<ObjectDisposedException>(() => _pool.MapAsync(new AddOne(), [1]));
        await _pool.DisposeAsync();
    }
}

/// <summary>Returns 0 at once for 0; spins until cancelled otherwise.</summary>
public sealed class SpinIfPositive : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context)
    {
        while (input > 0)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            Thread.SpinWait(1000);
        }

        return 0;
    }
}
