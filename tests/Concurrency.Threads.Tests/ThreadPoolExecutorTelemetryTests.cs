using Concurrency.Testing;

namespace Concurrency.Threads.Tests;

/// <summary>The thread executor reports through the library's meter, tagged with its name and kind.</summary>
public sealed class ThreadPoolExecutorTelemetryTests
{
    [Fact]
    public async Task SubmitAsync_SuccessesAndFailures_RecordStartedCompletedFailedQueueAndDuration()
    {
        var name = "telemetry-" + Guid.NewGuid().ToString("N");
        using var recorder = new MetricRecorder(name);
        var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { Name = name, MaxConcurrency = 2 });
        var inputs = Enumerable.Range(-3, 13).ToArray(); // 3 negative inputs fail, 10 succeed.

        var tasks = inputs.Select(i => executor.SubmitAsync(new FailOnNegative(), i)).ToArray();
        await Task.WhenAll(tasks).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Bounded.Timeout);
        await executor.DisposeAsync().AsTask().WaitAsync(Bounded.Timeout); // Every measurement is recorded once the threads end.

        Assert.Equal(3, tasks.Count(t => t.Exception?.InnerException is WorkloadException));
        Assert.Equal(13, recorder.Sum("concurrency.items.started"));
        Assert.Equal(10, recorder.Sum("concurrency.items.completed"));
        var failed = recorder.Of("concurrency.items.failed").ToList();
        Assert.Equal(3, failed.Sum(m => m.Value));
        Assert.All(failed, m => Assert.Equal("workload", m.Tags["error.type"]));
        Assert.Equal(0, recorder.Sum("concurrency.queue.length"));
        Assert.Contains(recorder.Of("concurrency.queue.length"), m => m.Value > 0);
        var durations = recorder.Of("concurrency.item.duration").ToList();
        Assert.Equal(13, durations.Count);
        Assert.All(durations, m => Assert.True(m.Value > 0, $"An item's duration was recorded as {m.Value} s."));
        Assert.All(recorder.Measurements, m =>
        {
            Assert.Equal(name, m.Tags["concurrency.executor.name"]);
            Assert.Equal("Threads", m.Tags["concurrency.executor.kind"]);
        });
    }

    [Fact]
    public async Task MapAsync_ManyItems_RecordsEveryItemAndEmptiesTheQueue()
    {
        var name = "telemetry-" + Guid.NewGuid().ToString("N");
        using var recorder = new MetricRecorder(name);
        var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { Name = name, MaxConcurrency = 2 });

        var count = 0;
        await foreach (var _ in executor.MapAsync(new Square(), Enumerable.Range(0, 5_000)).WithCancellation(CancellationToken.None))
        {
            count++;
        }

        await executor.DisposeAsync().AsTask().WaitAsync(Bounded.Timeout);
        Assert.Equal(5_000, count);
        Assert.Equal(5_000, recorder.Sum("concurrency.items.started"));
        Assert.Equal(5_000, recorder.Sum("concurrency.items.completed"));
        Assert.Empty(recorder.Of("concurrency.items.failed"));
        Assert.Equal(0, recorder.Sum("concurrency.queue.length"));
        Assert.Equal(5_000, recorder.Of("concurrency.item.duration").Count());
    }

    [Fact]
    public async Task SubmitAsync_RunningItemCancelled_RecordsFailedAsCancelled()
    {
        var name = "telemetry-" + Guid.NewGuid().ToString("N");
        using var recorder = new MetricRecorder(name);
        var workload = new GatedWorkload();
        var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { Name = name, MaxConcurrency = 1 });
        using var cts = new CancellationTokenSource();
        var item = executor.SubmitAsync(workload, 1, cts.Token);
        await workload.WaitStartedAsync();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => item.WaitAsync(Bounded.Timeout));
        await executor.DisposeAsync().AsTask().WaitAsync(Bounded.Timeout);

        var failed = Assert.Single(recorder.Of("concurrency.items.failed"));
        Assert.Equal("cancelled", failed.Tags["error.type"]);
        Assert.Equal(1, recorder.Sum("concurrency.items.started"));
        Assert.Equal(0, recorder.Sum("concurrency.items.completed"));
    }

    [Fact]
    public async Task DisposeAsync_QueuedItemsCancelled_QueueLengthReturnsToZero()
    {
        var name = "telemetry-" + Guid.NewGuid().ToString("N");
        using var recorder = new MetricRecorder(name);
        var workload = new GatedWorkload();
        var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { Name = name, MaxConcurrency = 1, QueueCapacity = 2 });
        var running = executor.SubmitAsync(workload, 1);
        await workload.WaitStartedAsync();
        var queued = new[] { executor.SubmitAsync(workload, 2), executor.SubmitAsync(workload, 3), executor.SubmitAsync(workload, 4) };

        var disposal = executor.DisposeAsync().AsTask();
        workload.Open();
        await disposal.WaitAsync(Bounded.Timeout);
        await Task.WhenAll(queued).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Bounded.Timeout);

        Assert.Equal(10, await running.WaitAsync(Bounded.Timeout));
        Assert.Equal(0, recorder.Sum("concurrency.queue.length"));
        Assert.Equal(1, recorder.Sum("concurrency.items.started"));
    }
}
