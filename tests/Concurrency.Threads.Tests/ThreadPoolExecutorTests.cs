using Concurrency.Testing;

namespace Concurrency.Threads.Tests;

/// <summary>What is particular to the thread executor; the shared semantics are in the conformance suite.</summary>
public sealed class ThreadPoolExecutorTests
{
    private const string ThreadNamePrefix = "Concurrency.Threads worker ";

    [Fact]
    public async Task Constructor_Defaults_OneThreadPerProcessorNamedThreads()
    {
        await using var executor = new ThreadPoolExecutor();

        Assert.Equal("Threads", executor.Name);
        Assert.Equal(Environment.ProcessorCount, executor.MaxConcurrency);
        Assert.Equal(ExecutorCapabilities.SharesMemory, executor.Capabilities);
        Assert.Equal(Environment.ProcessorCount, executor.Threads.Count);
    }

    [Fact]
    public async Task Constructor_Options_AreApplied()
    {
        await using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { Name = "mine", MaxConcurrency = 3 });

        Assert.Equal("mine", executor.Name);
        Assert.Equal(3, executor.MaxConcurrency);
        Assert.Equal(3, executor.Threads.Count);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsArgumentExceptionSayingWhatToFix()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ThreadPoolExecutor(new ThreadPoolExecutorOptions { QueueCapacity = 0, ShutdownTimeout = TimeSpan.FromSeconds(-2) }));

        Assert.Equal("options", ex.ParamName);
        Assert.Equal(
            "ThreadPoolExecutorOptions.QueueCapacity must be greater than 0, got 0. ThreadPoolExecutorOptions.ShutdownTimeout must be zero or positive (or Timeout.InfiniteTimeSpan), got -00:00:02. (Parameter 'options')",
            ex.Message);
    }

    [Fact]
    public async Task Constructor_OptionsChangedAfterwards_KeepsTheSnapshot()
    {
        var options = new ThreadPoolExecutorOptions { Name = "before", MaxConcurrency = 1 };
        await using var executor = new ThreadPoolExecutor(options);

        options.Name = "after";
        options.MaxConcurrency = 4;

        Assert.Equal("before", executor.Name);
        Assert.Equal(1, executor.MaxConcurrency);
    }

    [Fact]
    public async Task Threads_Running_AreNamedBackgroundThreadsPerWorkerId()
    {
        var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 2 });
        await using var _ = executor;

        Assert.Equal([ThreadNamePrefix + "0", ThreadNamePrefix + "1"], executor.Threads.Select(t => t.Name));
        Assert.All(executor.Threads, t =>
        {
            Assert.True(t.IsAlive);
            Assert.True(t.IsBackground);
        });
    }

    [Fact]
    public async Task SubmitAsync_ItemsOnEveryWorker_RunWithTheirThreadsWorkerId()
    {
        var workload = new GatedWorkload();
        await using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 2 });

        var first = executor.SubmitAsync(workload, 1);
        var second = executor.SubmitAsync(workload, 2);
        await workload.WaitStartedAsync(2);
        workload.Open();
        await Task.WhenAll(first, second).WaitAsync(Bounded.Timeout);

        var ids = new[] { workload.ContextOf(1).WorkerId, workload.ContextOf(2).WorkerId };
        Assert.Equal([0, 1], ids.Order());
        Assert.Equal(ThreadNamePrefix + workload.ContextOf(1).WorkerId, workload.ThreadNameOf(1));
        Assert.Equal(ThreadNamePrefix + workload.ContextOf(2).WorkerId, workload.ThreadNameOf(2));
    }

    [Fact]
    public async Task DisposeAsync_Always_EndsEveryThread()
    {
        var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 3 });
        Assert.Equal(9, await executor.SubmitAsync(new Square(), 3).WaitAsync(Bounded.Timeout));

        await executor.DisposeAsync().AsTask().WaitAsync(Bounded.Timeout);

        Assert.All(executor.Threads, t => Assert.False(t.IsAlive, $"{t.Name} is still alive after DisposeAsync."));
    }

    [Fact]
    public async Task DisposeAsync_Always_LeavesNoOperatingSystemThread()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // Linux keeps the first 15 characters of a thread's name.
        var comm = ThreadNamePrefix[..15];
        var before = LeakCheck.ThreadNames(comm).Count;
        var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 3 });
        await executor.SubmitAsync(new Square(), 1).WaitAsync(Bounded.Timeout);
        Assert.Equal(before + 3, LeakCheck.ThreadNames(comm).Count);

        await executor.DisposeAsync().AsTask().WaitAsync(Bounded.Timeout);

        Assert.Equal(before, LeakCheck.ThreadNames(comm).Count);
    }

    [Fact]
    public async Task DisposeAsync_Twice_ReturnsTheSameShutdown()
    {
        var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 1 });

        var first = executor.DisposeAsync().AsTask();
        var second = executor.DisposeAsync().AsTask();
        await Task.WhenAll(first, second).WaitAsync(Bounded.Timeout);
        await executor.DisposeAsync().AsTask().WaitAsync(Bounded.Timeout);
        executor.Dispose();

        Assert.All(executor.Threads, t => Assert.False(t.IsAlive));
    }

    [Fact]
    public void Dispose_Sync_EndsEveryThreadAndRefusesWork()
    {
        var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 2 });

        executor.Dispose();

        Assert.All(executor.Threads, t => Assert.False(t.IsAlive));
        Assert.Throws<ObjectDisposedException>(() => { _ = executor.SubmitAsync(new Square(), 1); });
    }

    [Fact]
    public async Task DisposeAsync_ItemsQueued_CancelsThemAndLetsTheRunningOneFinish()
    {
        var workload = new GatedWorkload();
        var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 1 });
        var running = executor.SubmitAsync(workload, 1);
        await workload.WaitStartedAsync();
        var queued = new[] { executor.SubmitAsync(workload, 2), executor.SubmitAsync(workload, 3) };

        var disposal = executor.DisposeAsync().AsTask();

        foreach (var item in queued)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => item.WaitAsync(Bounded.Timeout));
        }

        Assert.False(disposal.IsCompleted);
        Assert.False(workload.ContextOf(1).CancellationToken.IsCancellationRequested);
        workload.Open();
        Assert.Equal(10, await running.WaitAsync(Bounded.Timeout));
        await disposal.WaitAsync(Bounded.Timeout);
        Assert.Equal([1], workload.Ran);
    }

    [Fact]
    public async Task DisposeAsync_RunningItemObservesToken_CancelsItAfterShutdownTimeout()
    {
        var workload = new GatedWorkload();
        var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 1, ShutdownTimeout = TimeSpan.Zero });
        var running = executor.SubmitAsync(workload, 1);
        await workload.WaitStartedAsync();

        await executor.DisposeAsync().AsTask().WaitAsync(Bounded.Timeout);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Bounded.Timeout));
        Assert.True(workload.ContextOf(1).CancellationToken.IsCancellationRequested);
        Assert.All(executor.Threads, t => Assert.False(t.IsAlive));
    }

    [Fact]
    public async Task DisposeAsync_RunningItemIgnoresToken_ReturnsAfterTheGracePeriodAndItemMayStillFinish()
    {
        var workload = new GatedWorkload(ignoreCancellation: true);
        var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 1, ShutdownTimeout = TimeSpan.FromMilliseconds(1) });
        var running = executor.SubmitAsync(workload, 1);
        await workload.WaitStartedAsync();

        try
        {
            // Must not hang although the item never returns on its own.
            await executor.DisposeAsync().AsTask().WaitAsync(Bounded.Timeout);

            Assert.True(workload.ContextOf(1).CancellationToken.IsCancellationRequested);
            Assert.False(running.IsCompleted);
            Assert.True(executor.Threads[0].IsAlive);
        }
        finally
        {
            workload.Open();
        }

        Assert.Equal(10, await running.WaitAsync(Bounded.Timeout));
        Assert.True(executor.Threads[0].Join(Bounded.Timeout), "The worker thread did not end after its item returned.");
    }

    [Fact]
    public async Task SubmitAsync_QueueFull_WaitsForSpaceOutsideTheQueue()
    {
        // One worker, a queue of one batch: the first item runs, the second waits in the queue, the
        // third cannot enter it. Disposal tells them apart: a queued item is cancelled, while a submitter
        // still waiting for space is refused as if it came after disposal.
        var workload = new GatedWorkload();
        var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 1, QueueCapacity = 1 });
        var running = executor.SubmitAsync(workload, 1);
        await workload.WaitStartedAsync();
        var queued = executor.SubmitAsync(workload, 2);
        var waiting = executor.SubmitAsync(workload, 3);
        Assert.False(waiting.IsCompleted);

        var disposal = executor.DisposeAsync().AsTask();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(Bounded.Timeout));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(Bounded.Timeout));
        workload.Open();
        Assert.Equal(10, await running.WaitAsync(Bounded.Timeout));
        await disposal.WaitAsync(Bounded.Timeout);
        Assert.Equal([1], workload.Ran);
    }

    [Fact]
    public async Task SubmitAsync_QueueFullThenSpaceFrees_RunsEveryItemInOrder()
    {
        var workload = new GatedWorkload();
        await using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 1, QueueCapacity = 1 });
        var running = executor.SubmitAsync(workload, 1);
        await workload.WaitStartedAsync();
        var rest = Enumerable.Range(2, 4).Select(i => executor.SubmitAsync(workload, i)).ToArray();
        Assert.All(rest, t => Assert.False(t.IsCompleted));

        workload.Open();

        Assert.Equal(new[] { 10, 20, 30, 40, 50 }, await Task.WhenAll(rest.Prepend(running)).WaitAsync(Bounded.Timeout));
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, workload.Ran);
    }

    [Fact]
    public async Task SubmitAsync_CancelledWhileWaitingForSpace_IsCancelledAndNeverRuns()
    {
        var workload = new GatedWorkload();
        await using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 1, QueueCapacity = 1 });
        var running = executor.SubmitAsync(workload, 1);
        await workload.WaitStartedAsync();
        var queued = executor.SubmitAsync(workload, 2);
        using var cts = new CancellationTokenSource();
        var waiting = executor.SubmitAsync(workload, 3, cts.Token);

        await cts.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Bounded.Timeout));
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.True(waiting.IsCanceled);
        workload.Open();
        Assert.Equal(new[] { 10, 20 }, await Task.WhenAll(running, queued).WaitAsync(Bounded.Timeout));
        Assert.Equal([1, 2], workload.Ran);
    }
}

public sealed class ThreadPoolExecutorShutdownTimeoutTests
{
    [Fact]
    public async Task DisposeAsync_ShutdownTimeoutOfThirtyDays_Completes()
    {
        var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 1, ShutdownTimeout = TimeSpan.FromDays(30) });

        await executor.DisposeAsync().AsTask().WaitAsync(Bounded.Timeout);

        Assert.All(executor.Threads, t => Assert.False(t.IsAlive));
    }

    [Fact]
    public void Constructor_ShutdownTimeoutBeyondTimerLimit_ThrowsInsteadOfFailingAtDispose()
    {
        // Regression: 100 days passed validation, then DisposeAsync threw ArgumentOutOfRangeException from Task.WaitAsync.
        var ex = Assert.Throws<ArgumentException>(() => new ThreadPoolExecutor(new ThreadPoolExecutorOptions { ShutdownTimeout = TimeSpan.FromDays(100) }));

        Assert.Equal(
            "ThreadPoolExecutorOptions.ShutdownTimeout must be at most 49.17:02:47.2940000 (the longest timer .NET supports), got 100.00:00:00. Use Timeout.InfiniteTimeSpan to wait without limit. (Parameter 'options')",
            ex.Message);
    }
}
