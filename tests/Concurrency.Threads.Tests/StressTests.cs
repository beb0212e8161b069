using Concurrency.Testing;

namespace Concurrency.Threads.Tests;

/// <summary>Executor life cycles repeated many times: no thread outlives DisposeAsync, no item is lost.</summary>
public sealed class StressTests
{
    [Fact]
    public async Task DisposeAsync_ManyExecutors_NoThreadAliveAfterEach()
    {
        var comm = "Concurrency.Threads worker"[..15];
        var before = LeakCheck.ThreadNames(comm).Count;
        for (var round = 0; round < 100; round++)
        {
            var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 4 });
            if (round % 2 == 0)
            {
                await executor.SubmitAsync(new Square(), round).WaitAsync(Bounded.Timeout);
            }

            await executor.DisposeAsync().AsTask().WaitAsync(Bounded.Timeout);

            Assert.All(executor.Threads, t => Assert.False(t.IsAlive, $"Round {round}: {t.Name} is alive after DisposeAsync."));
        }

        Assert.Equal(before, LeakCheck.ThreadNames(comm).Count);
    }

    [Fact]
    public async Task SubmitAsync_FromManyThreadsWhileDisposing_EveryTaskEndsWithResultCancellationOrObjectDisposed()
    {
        for (var round = 0; round < 20; round++)
        {
            var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 2, QueueCapacity = 4 });
            var tasks = new System.Collections.Concurrent.ConcurrentBag<Task<int>>();
            var refused = 0;
            using var go = new Barrier(5);
            var submitters = Enumerable.Range(0, 4).Select(t => Task.Factory.StartNew(
                () =>
                {
                    go.SignalAndWait(Bounded.Timeout);
                    for (var i = 0; i < 500; i++)
                    {
                        try
                        {
                            tasks.Add(executor.SubmitAsync(new Square(), i));
                        }
                        catch (ObjectDisposedException)
                        {
                            Interlocked.Increment(ref refused);
                        }
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)).ToArray();

            go.SignalAndWait(Bounded.Timeout);
            var disposal = executor.DisposeAsync().AsTask();
            await Task.WhenAll(submitters).WaitAsync(Bounded.Timeout);
            await disposal.WaitAsync(Bounded.Timeout);
            await Task.WhenAll(tasks).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Bounded.Timeout);

            Assert.Equal(2_000, tasks.Count + refused);
            Assert.All(tasks, t => Assert.True(
                t.IsCompletedSuccessfully || t.IsCanceled || t.Exception?.InnerException is ObjectDisposedException,
                $"Unexpected end: {t.Status} {t.Exception?.InnerException}"));
            Assert.All(executor.Threads, t => Assert.False(t.IsAlive));
        }
    }
}
