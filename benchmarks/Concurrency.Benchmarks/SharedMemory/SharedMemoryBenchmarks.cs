using System.Diagnostics;
using System.Globalization;
using Concurrency.Benchmarks.Processes;
using Concurrency.Processes;
using Concurrency.SharedMemory;
using static Concurrency.Benchmarks.BenchmarkReport;

namespace Concurrency.Benchmarks.SharedMemory;

/// <summary>
/// Stopwatch benchmarks of <see cref="SharedMemoryExecutor"/>, each next to what it is measured against in the same
/// run (issue 4):
/// <list type="number">
/// <item>dispatching an item whose input holds a handle to 1 GiB vs one holding a handle to 1 MiB (target ≤ 1.2×);</item>
/// <item>parallel sum of a 1 GiB double array by 2 workers vs a raw 2-thread sum over the same mapping in-process (target ≥ 0.8× the bandwidth);</item>
/// <item>the same 256 MiB array passed by value to <see cref="ProcessPoolExecutor"/> vs by handle (target ≥ 10× faster);</item>
/// <item>empty-item round trip vs <see cref="ProcessPoolExecutor"/>'s (target ≤ 0.5×).</item>
/// </list>
/// Segments are created and pre-faulted once, and every measurement is taken warm: first touch of a page costs
/// ~11 µs here, so a cold measurement would time the page faults, not the executor.
/// Run: <c>dotnet run -c Release --project benchmarks/Concurrency.Benchmarks -- sharedmemory [quick]</c>.
/// </summary>
public static class SharedMemoryBenchmarks
{
    /// <summary>Runs every benchmark and prints a table; returns 0.</summary>
    /// <param name="args">Optional: <c>quick</c> for fewer repetitions.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("quick", StringComparer.OrdinalIgnoreCase);
        var rounds = quick ? 3 : 7;
        Console.WriteLine($"SharedMemoryExecutor benchmarks: {Environment.ProcessorCount} cores, .NET {Environment.Version}; shared machine: numbers vary run to run.");
        var rows = new List<(string Name, string Value, string Floor, string Ratio, string Target)>();

        await using var shm = new SharedMemoryExecutor(new SharedMemoryExecutorOptions { MaxConcurrency = 2 });
        await using var pool = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxConcurrency = 2 });

        // Round trips on one-worker pools: with two workers, consecutive items alternate between a warm and a
        // sleeping worker, and the order of the measurements decides which one pays. Each kind twice: with the default
        // options (continuations on the thread pool) and with AllowSynchronousContinuations (no thread hand-off).
        await using var shmOne = new SharedMemoryExecutor(new SharedMemoryExecutorOptions { MaxConcurrency = 1 });
        await using var poolOne = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxConcurrency = 1 });
        await using var shmInline = new SharedMemoryExecutor(new SharedMemoryExecutorOptions { MaxConcurrency = 1, AllowSynchronousContinuations = true });
        await using var poolInline = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxConcurrency = 1, AllowSynchronousContinuations = true });

        // 4. Round trip (first: it also warms the pools).
        var trips = quick ? 1_000 : 2_000;
        rounds *= 3;
        var (shmTrip, poolTrip) = Interleaved(rounds, () => RoundTrip(shmOne, trips), () => RoundTrip(poolOne, trips));
        var (shmInlineTrip, poolInlineTrip) = Interleaved(rounds, () => RoundTrip(shmInline, trips), () => RoundTrip(poolInline, trips));
        rows.Add(("empty item round trip (warm), best", Us(shmTrip.Best), Us(poolTrip.Best) + " ProcessPoolExecutor", Ratio(shmTrip.Best / poolTrip.Best), "≤ 0.5×"));
        rows.Add(("  same, median of the rounds", Us(shmTrip.Median), Us(poolTrip.Median) + " ProcessPoolExecutor", Ratio(shmTrip.Median / poolTrip.Median), "≤ 0.5×"));
        rows.Add(("  both AllowSynchronousContinuations, best", Us(shmInlineTrip.Best), Us(poolInlineTrip.Best) + " ProcessPoolExecutor", Ratio(shmInlineTrip.Best / poolInlineTrip.Best), "≤ 0.5×"));
        rows.Add(("  same, median of the rounds", Us(shmInlineTrip.Median), Us(poolInlineTrip.Median) + " ProcessPoolExecutor", Ratio(shmInlineTrip.Median / poolInlineTrip.Median), "≤ 0.5×"));
        rows.Add(("  synchronous vs default pool, median", Us(shmInlineTrip.Median), Us(poolTrip.Median) + " ProcessPoolExecutor, defaults", Ratio(shmInlineTrip.Median / poolTrip.Median), "-"));
        if (args.Contains("roundtrip", StringComparer.OrdinalIgnoreCase))
        {
            PrintTable("against (same run)", rows);
            return 0;
        }

        // 1. Dispatch cost does not depend on the size behind the handle.
        using (var big = SharedArray<double>.Create((1L << 30) / sizeof(double), preFault: true))
        using (var small = SharedArray<double>.Create((1L << 20) / sizeof(double), preFault: true))
        {
            var (bigTrip, smallTrip) = BestOfInterleaved(rounds, () => Dispatch(shmOne, big.Handle, trips), () => Dispatch(shmOne, small.Handle, trips));
            rows.Add(("dispatch, input holds a 1 GiB handle", Us(bigTrip), Us(smallTrip) + " with a 1 MiB handle", Ratio(bigTrip / smallTrip), "≤ 1.2×"));

            // 2. Bandwidth: 2 workers over halves of the mapping vs 2 threads here over the same halves.
            Fill(big);
            var halves = big.Handle.AsReadOnly().Chunk((int)(big.Length / 2)).ToArray();
            var bytes = (double)big.Length * sizeof(double);
            var (workers, threads) = BestOfInterleaved(rounds / 3, () => SumInWorkers(shm, halves), () => SumInThreads(big, halves));
            rows.Add(("sum of 1 GiB of doubles, 2 workers", Gbs(bytes / workers), Gbs(bytes / threads) + " raw 2-thread sum, same mapping", Ratio(threads / workers), "≥ 0.8×"));
        }

        // 3. 256 MiB by handle vs by value.
        using (var quarter = SharedArray<double>.Create((256L << 20) / sizeof(double), preFault: true))
        {
            Fill(quarter);
            var copy = quarter.AsSpan().ToArray();
            var byHandle = Best(quick ? 2 : 3, () => Run(shm, new SumHandleWorkload(), new SumHandleInput(quarter.Handle.AsReadOnly())));
            var byValue = Best(quick ? 2 : 3, () => Run(pool, new SumArrayWorkload(), copy));
            rows.Add(("sum of 256 MiB, by handle", Ms(byHandle), Ms(byValue) + " ProcessPoolExecutor by value", Ratio(byValue / byHandle) + " faster", "≥ 10×"));
        }

        PrintTable("against (same run)", rows);
        return 0;
    }

    /// <summary>Mean seconds per item of <paramref name="count"/> empty items awaited one after another, as an application awaits them.</summary>
    private static double RoundTrip(IWorkExecutor executor, int count) => RoundTripAsync(executor, count).GetAwaiter().GetResult();

    private static async Task<double> RoundTripAsync(IWorkExecutor executor, int count)
    {
        var workload = new EmptyWorkload();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await executor.SubmitAsync(workload, i).ConfigureAwait(false);
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds / count;
    }

    private static double Dispatch(IWorkExecutor executor, SharedArrayHandle<double> handle, int count)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            executor.SubmitAsync(new LengthWorkload(), new SumHandleInput(handle)).GetAwaiter().GetResult();
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds / count;
    }

    private static double SumInWorkers(IWorkExecutor executor, SharedArrayHandle<double>[] halves)
    {
        var started = Stopwatch.GetTimestamp();
        var parts = Task.WhenAll(halves.Select(h => executor.SubmitAsync(new SumHandleWorkload(), new SumHandleInput(h)))).GetAwaiter().GetResult();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        GC.KeepAlive(parts);
        return seconds;
    }

    private static double SumInThreads(SharedArray<double> array, SharedArrayHandle<double>[] halves)
    {
        // One dedicated thread per half, both started before timing and released together. They read the owner's own
        // mapping, already faulted in: opening a view here would map the segment again and time the page faults.
        var parts = new double[halves.Length];
        using var go = new ManualResetEventSlim();
        using var ready = new CountdownEvent(halves.Length);
        var threads = halves.Select((h, i) => new Thread(() =>
        {
            ready.Signal();
            go.Wait();
            parts[i] = SumHandleWorkload.Sum(array.AsSpan(h.Offset, checked((int)h.Length)));
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        ready.Wait();
        var started = Stopwatch.GetTimestamp();
        go.Set();
        foreach (var thread in threads)
        {
            thread.Join();
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static double Run<TInput, TResult>(IWorkExecutor executor, IWorkload<TInput, TResult> workload, TInput input)
    {
        var started = Stopwatch.GetTimestamp();
        executor.SubmitAsync(workload, input).GetAwaiter().GetResult();
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static void Fill(SharedArray<double> array)
    {
        foreach (var chunk in array.Handle.Chunk(1 << 24))
        {
            using var view = chunk.Open();
            view.Span.Fill(1.0);
        }
    }

    /// <summary>Alternates the two measurements, so that neither gains from running first or later; returns the best and the median of each.</summary>
    private static ((double Best, double Median) First, (double Best, double Median) Second) Interleaved(int rounds, Func<double> first, Func<double> second)
    {
        var (a, b) = (new List<double>(), new List<double>());
        for (var i = 0; i < rounds; i++)
        {
            a.Add(first());
            b.Add(second());
        }

        return (Summarize(a), Summarize(b));
    }

    /// <summary>Alternates the two measurements, so that neither gains from running first or later; the best of each counts.</summary>
    private static (double First, double Second) BestOfInterleaved(int rounds, Func<double> first, Func<double> second)
    {
        var (a, b) = (double.MaxValue, double.MaxValue);
        for (var i = 0; i < rounds; i++)
        {
            a = Math.Min(a, first());
            b = Math.Min(b, second());
        }

        return (a, b);
    }

    private static double Best(int rounds, Func<double> measure)
    {
        var best = double.MaxValue;
        for (var i = 0; i < rounds; i++)
        {
            best = Math.Min(best, measure());
        }

        return best;
    }
}

public sealed record SumHandleInput(SharedArrayHandle<double> Source);

/// <summary>Returns the handle's length without touching the data: the dispatch cost alone.</summary>
public sealed class LengthWorkload : IWorkload<SumHandleInput, long>
{
    public long Execute(SumHandleInput input, WorkContext context) => input.Source.Length;
}

/// <summary>Sums the doubles behind a handle, chunk by chunk (a view covers at most int.MaxValue elements).</summary>
public sealed class SumHandleWorkload : IWorkload<SumHandleInput, double>
{
    public static double Sum(SharedArrayHandle<double> handle)
    {
        var sum = 0.0;
        foreach (var chunk in handle.Chunk(1 << 26))
        {
            using var view = chunk.Open();
            sum += Sum(view.ReadOnlySpan);
        }

        return sum;
    }

    public double Execute(SumHandleInput input, WorkContext context) => Sum(input.Source);

    /// <summary>A vectorized sum: memory bandwidth, not the adder, is what is measured. Fully optimized from the first call, in every process.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double Sum(ReadOnlySpan<double> values)
    {
        var vectors = System.Runtime.InteropServices.MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(values);
        var acc = System.Numerics.Vector<double>.Zero;
        foreach (var v in vectors)
        {
            acc += v;
        }

        var sum = System.Numerics.Vector.Sum(acc);
        for (var i = vectors.Length * System.Numerics.Vector<double>.Count; i < values.Length; i++)
        {
            sum += values[i];
        }

        return sum;
    }
}

/// <summary>Sums an array that traveled by value.</summary>
public sealed class SumArrayWorkload : IWorkload<double[], double>
{
    public double Execute(double[] input, WorkContext context) => SumHandleWorkload.Sum(input);
}
