using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Concurrency.Threads;

namespace Concurrency.Benchmarks;

/// <summary>The tiniest workload there is: the per-item cost of an executor is all that is measured.</summary>
public sealed class IncrementWorkload : IWorkload<int, int>
{
    /// <inheritdoc/>
    public int Execute(int input, WorkContext context) => input + 1;
}

/// <summary>
/// 1,000,000 items of x => x + 1: ThreadPoolExecutor.MapAsync (default options, automatic batching) against a
/// raw Channel-fed loop of MaxConcurrency worker tasks that completes one TaskCompletionSource per item.
/// Op/s is items per second. Target: MapAsync ≥ 1.0 × the raw loop's throughput.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class TinyItemsBenchmarks
{
    public const int Items = 1_000_000;

    /// <summary>The raw loop's queue bound, in items: the same back-pressure role as the executor's bounded queue.</summary>
    private const int ChannelCapacity = 1024;

    private readonly IncrementWorkload _workload = new();
    private ThreadPoolExecutor _executor = null!;
    private int[] _inputs = [];

    [GlobalSetup]
    public void Setup()
    {
        _executor = new ThreadPoolExecutor();
        _inputs = Enumerable.Range(0, Items).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _executor.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Items)]
    public async Task<long> RawChannelLoop()
    {
        var channel = Channel.CreateBounded<(int Input, TaskCompletionSource<int> Result)>(
            new BoundedChannelOptions(ChannelCapacity) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var workers = new Task[_executor.MaxConcurrency];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                var context = new WorkContext(0);
                var reader = channel.Reader;
                while (await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (reader.TryRead(out var item))
                    {
                        item.Result.SetResult(_workload.Execute(item.Input, context));
                    }
                }
            });
        }

        var results = new TaskCompletionSource<int>[Items];
        for (var i = 0; i < Items; i++)
        {
            results[i] = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < Items; i++)
            {
                await channel.Writer.WriteAsync((_inputs[i], results[i])).ConfigureAwait(false);
            }

            channel.Writer.Complete();
        });

        long sum = 0;
        for (var i = 0; i < Items; i++)
        {
            sum += await results[i].Task.ConfigureAwait(false);
        }

        await producer.ConfigureAwait(false);
        await Task.WhenAll(workers).ConfigureAwait(false);
        return Check(sum);
    }

    [Benchmark(OperationsPerInvoke = Items)]
    public async Task<long> ExecutorMapAsync()
    {
        long sum = 0;
        await foreach (var result in _executor.MapAsync(_workload, _inputs).ConfigureAwait(false))
        {
            sum += result;
        }

        return Check(sum);
    }

    private static long Check(long sum) => sum == (long)Items * (Items + 1) / 2
        ? sum
        : throw new InvalidOperationException($"Sum of x + 1 over {Items} items is {sum}, expected {(long)Items * (Items + 1) / 2}.");
}
