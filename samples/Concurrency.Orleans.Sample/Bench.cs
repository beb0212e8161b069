using System.Diagnostics;
using Concurrency.Orleans;
using Orleans;
using Orleans.Runtime;

namespace Concurrency.Orleans.Sample;

/// <summary>
/// <c>--bench</c>: Stopwatch measurements, the best of three runs each, printed. Not a BenchmarkDotNet run: a cluster's start-up
/// and placement do not fit its model; read the numbers as one run's ratios.
/// </summary>
internal static class Bench
{
    private const int Runs = 3;

    private static async Task<(int Total, TimeSpan Elapsed, Dictionary<int, int> PerProcess)> BestPrimesAsync(IWorkExecutor executor, int limit, int ranges, SiloProcesses silos)
    {
        (int, TimeSpan, Dictionary<int, int>)? best = null;
        for (var run = 0; run < Runs; run++)
        {
            var result = await Demo.PrimesAsync(executor, limit, ranges, silos.Describe, print: false);
            if (best is null || result.Elapsed < best.Value.Item2)
            {
                best = result;
            }
        }

        return best!.Value;
    }

    public static async Task RunAsync(IClusterClient client, SiloProcesses silos)
    {
        const int limit = 5_000_000;
        const int ranges = 128;
        var cores = Environment.ProcessorCount;
        Console.WriteLine($"machine: {cores} cores; primes below {limit:N0} by trial division in {ranges} ranges");

        // For reference: the same round trip on this process's threads.
        await using (var threads = new Concurrency.Threads.ThreadPoolExecutor(new Concurrency.Threads.ThreadPoolExecutorOptions { MaxConcurrency = 1 }))
        {
            await RoundTripAsync(threads, "threads (reference)");
        }

        // The per-item overhead the issue compares against: the process pool, in the same run.
        await using (var processes = new Concurrency.Processes.ProcessPoolExecutor(new Concurrency.Processes.ProcessPoolExecutorOptions { MaxConcurrency = 1 }))
        {
            await RoundTripAsync(processes, "process pool (reference)");
        }

        // 1 silo.
        await using (var one = new OrleansExecutor(client, new OrleansExecutorOptions { MaxConcurrency = 1 }))
        {
            await RoundTripAsync(one, "1 silo");
            await Demo.PrimesAsync(one, 200_000, 8, silos.Describe, print: false);
            var (_, t, _) = await BestPrimesAsync(one, limit, ranges, silos);
            Console.WriteLine($"primes, 1 silo, 1 slot:   {t.TotalMilliseconds,8:N0} ms");
        }

        await using (var oneTwo = new OrleansExecutor(client, new OrleansExecutorOptions { MaxConcurrency = cores }))
        {
            var (_, t, _) = await BestPrimesAsync(oneTwo, limit, ranges, silos);
            Console.WriteLine($"primes, 1 silo, {cores} slots:  {t.TotalMilliseconds,8:N0} ms");
        }

        // 2 silos.
        await silos.StartAsync(1);
        await WaitForSilosAsync(client, 2);
        await using (var two = new OrleansExecutor(client, new OrleansExecutorOptions { MaxConcurrency = 2 }))
        {
            await RoundTripAsync(two, "2 silos");
            var (total, t, perProcess) = await BestPrimesAsync(two, limit, ranges, silos);
            Console.WriteLine($"primes, 2 silos, 2 slots: {t.TotalMilliseconds,8:N0} ms ({total:N0} primes; ranges per silo: {string.Join(", ", perProcess.OrderBy(p => p.Key).Select(p => $"{silos.Describe(p.Key)} {p.Value}"))})");
        }

        await using (var twoMore = new OrleansExecutor(client, new OrleansExecutorOptions { MaxConcurrency = 2 * cores }))
        {
            var (_, t, _) = await BestPrimesAsync(twoMore, limit, ranges, silos);
            Console.WriteLine($"primes, 2 silos, {2 * cores} slots: {t.TotalMilliseconds,8:N0} ms");
        }
    }

    private static async Task RoundTripAsync(IWorkExecutor executor, string what)
    {
        // Warm up: activations, serializers, JIT.
        for (var i = 0; i < 200; i++)
        {
            await executor.SubmitAsync(new EmptyWorkload(), i);
        }

        const int calls = 2000;
        const int items = 200_000;
        var perCall = double.MaxValue;
        var perItem = double.MaxValue;
        for (var run = 0; run < Runs; run++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++)
            {
                await executor.SubmitAsync(new EmptyWorkload(), i);
            }

            perCall = Math.Min(perCall, watch.Elapsed.TotalMicroseconds / calls);

            watch.Restart();
            var n = 0;
            await foreach (var _ in executor.MapAsync(new EmptyWorkload(), Enumerable.Range(0, items)))
            {
                n++;
            }

            perItem = Math.Min(perItem, watch.Elapsed.TotalMicroseconds / n);
        }
        Console.WriteLine($"empty item, {what}: SubmitAsync round trip {perCall:N0} µs; MapAsync (automatic batching) {perItem:N2} µs per item over {items:N0} items");
    }

    private static async Task WaitForSilosAsync(IClusterClient client, int count)
    {
        var deadline = Stopwatch.StartNew();
        while ((await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count < count)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException($"The cluster did not reach {count} active silos.");
            }

            await Task.Delay(200);
        }
    }
}
