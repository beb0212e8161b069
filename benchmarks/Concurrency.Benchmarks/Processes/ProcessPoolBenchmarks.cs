using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Concurrency.Processes;
using static Concurrency.Benchmarks.BenchmarkReport;

namespace Concurrency.Benchmarks.Processes;

/// <summary>
/// Stopwatch benchmarks of <see cref="ProcessPoolExecutor"/>, each next to the floor it is measured against in the
/// same run (issue 3):
/// <list type="number">
/// <item>empty-item round trip on a warm pool vs a raw pipe ping-pong between two dotnet processes (target ≤ 2×);</item>
/// <item>1,000,000 tiny items (x => x + 1) through MapAsync with default options (target ≥ 1,000,000 items/s);</item>
/// <item>primes below 1,000,000 by trial division, one range per worker, 2 workers vs Parallel.For over the same ranges (target ≥ 0.9× its speedup);</item>
/// <item>worker cold start vs start-to-first-byte of a minimal dotnet child (target ≤ 1.5×).</item>
/// </list>
/// Run: <c>dotnet run -c Release --project benchmarks/Concurrency.Benchmarks -- processes</c> once Program.cs routes
/// the <c>processes</c> argument to <see cref="RunAsync"/>.
/// </summary>
public static class ProcessPoolBenchmarks
{
    /// <summary>Runs every benchmark and prints a table; returns 0.</summary>
    /// <param name="args">Optional: <c>quick</c> for fewer repetitions.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("quick", StringComparer.OrdinalIgnoreCase);
        var rows = new List<(string Name, string Value, string Floor, string Ratio, string Target)>();
        Console.WriteLine($"ProcessPoolExecutor benchmarks: {Environment.ProcessorCount} cores, .NET {Environment.Version}; shared machine: numbers vary run to run.");

        // 1. Round trip, interleaved with the floors: the best and the median of the rounds (the machine is shared, and a
        // wake-up that lands on an idle virtual core costs far more than one that does not, so single rounds vary a lot).
        var trips = await RoundTripsAsync(args.Contains("roundtrip", StringComparer.OrdinalIgnoreCase) ? 5_000 : quick ? 2_000 : 4_000, quick ? 6 : 15).ConfigureAwait(false);
        rows.Add(("empty item round trip (warm, 1 worker), best", Us(trips.Pool.Best), Us(trips.Raw.Best) + " raw pipe ping-pong", Ratio(trips.Pool.Best / trips.Raw.Best), "≤ 2×"));
        rows.Add(("  same, median of the rounds", Us(trips.Pool.Median), Us(trips.Raw.Median) + " raw pipe ping-pong", Ratio(trips.Pool.Median / trips.Raw.Median), "≤ 2×"));
        rows.Add(("  AllowSynchronousContinuations, best", Us(trips.Inline.Best), Us(trips.Raw.Best) + " raw pipe ping-pong", Ratio(trips.Inline.Best / trips.Raw.Best), "≤ 2×"));
        rows.Add(("  same, median of the rounds", Us(trips.Inline.Median), Us(trips.Raw.Median) + " raw pipe ping-pong", Ratio(trips.Inline.Median / trips.Raw.Median), "≤ 2×"));
        rows.Add(("  defaults vs ping-pong + async hop, median", Us(trips.Pool.Median), Us(trips.Hop.Median) + " reader thread + thread-pool continuation", Ratio(trips.Pool.Median / trips.Hop.Median), "-"));
        if (args.Contains("roundtrip", StringComparer.OrdinalIgnoreCase))
        {
            PrintTable("floor (same run)", rows);
            return 0;
        }

        // 2. Tiny items.
        var itemsPerSecond = await TinyItemsAsync(1_000_000).ConfigureAwait(false);
        rows.Add(("1,000,000 x => x + 1, MapAsync defaults", $"{itemsPerSecond:N0} items/s", "-", "-", "≥ 1,000,000 items/s"));

        // 3. Primes.
        var (poolSpeedup, parallelSpeedup, sequential) = await PrimesAsync(quick ? 2 : 5).ConfigureAwait(false);
        rows.Add(("primes < 1,000,000, 2 workers: speedup", $"{poolSpeedup:F2}×", $"{parallelSpeedup:F2}× Parallel.For (sequential {sequential.TotalMilliseconds:F0} ms)", Ratio(poolSpeedup / parallelSpeedup), "≥ 0.9×"));

        // 4. Cold start.
        var (coldStart, firstResult, firstByte) = await ColdStartsAsync(quick ? 3 : 7).ConfigureAwait(false);
        rows.Add(("worker cold start: ready (median)", Ms(coldStart), Ms(firstByte) + " minimal dotnet child, first byte", Ratio(coldStart / firstByte), "≤ 1.5×"));
        rows.Add(("  cold pool: first result (median)", Ms(firstResult), Ms(firstByte) + " minimal dotnet child, first byte", Ratio(firstResult / firstByte), "-"));

        PrintTable("floor (same run)", rows);
        return 0;
    }

    /// <summary>
    /// Mean seconds per SubmitAsync of an empty item, awaited one after another, on a warm one-worker pool (with the
    /// default options, and with AllowSynchronousContinuations); mean seconds per 16-byte ping-pong between this process
    /// and a minimal dotnet child over its stdin/stdout pipes; and the same ping-pong delivered as an executor must
    /// deliver it by default (a reader thread, a thread-pool continuation). Rounds alternate between the four; the best
    /// and the median round of each are returned.
    /// </summary>
    private static async Task<((double Best, double Median) Pool, (double Best, double Median) Inline, (double Best, double Median) Raw, (double Best, double Median) Hop)> RoundTripsAsync(int count, int rounds)
    {
        await using var pool = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxConcurrency = 1 });
        await using var inline = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxConcurrency = 1, AllowSynchronousContinuations = true });
        await pool.StartWorkersAsync().ConfigureAwait(false);
        await inline.StartWorkersAsync().ConfigureAwait(false);
        var workload = new EmptyWorkload();
        for (var i = 0; i < 2_000; i++)
        {
            await pool.SubmitAsync(workload, i).ConfigureAwait(false);
            await inline.SubmitAsync(workload, i).ConfigureAwait(false);
        }

        using var child = StartChild(ChildMode.Echo);
        var input = child.StandardInput.BaseStream;
        var output = child.StandardOutput.BaseStream;
        var buffer = new byte[16];
        void PingPong()
        {
            input.Write(buffer);
            var read = 0;
            while (read < buffer.Length)
            {
                read += output.Read(buffer, read, buffer.Length - read);
            }
        }

        for (var i = 0; i < 2_000; i++)
        {
            PingPong();
        }

        // The raw ping-pong as an executor must deliver it: a dedicated thread reads the reply and completes a task
        // whose continuation runs on the thread pool (never on the reader thread).
        using var hopChild = StartChild(ChildMode.Echo);
        var hopInput = hopChild.StandardInput.BaseStream;
        var hopOutput = hopChild.StandardOutput.BaseStream;
        TaskCompletionSource? pending = null;
        var hopReader = new Thread(() =>
        {
            var reply = new byte[16];
            while (true)
            {
                var read = 0;
                while (read < reply.Length)
                {
                    var n = hopOutput.Read(reply, read, reply.Length - read);
                    if (n == 0)
                    {
                        return;
                    }

                    read += n;
                }

                Interlocked.Exchange(ref pending, null)!.SetResult();
            }
        }) { IsBackground = true };
        hopReader.Start();
        var request = new byte[16];
        Task HopAsync()
        {
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref pending, waiter);
            hopInput.Write(request);
            return waiter.Task;
        }

        for (var i = 0; i < 2_000; i++)
        {
            await HopAsync().ConfigureAwait(false);
        }

        var (pools, inlines, raws, hops) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                PingPong();
            }

            raws.Add(watch.Elapsed.TotalSeconds / count);
            watch.Restart();
            for (var i = 0; i < count; i++)
            {
                await pool.SubmitAsync(workload, i).ConfigureAwait(false);
            }

            pools.Add(watch.Elapsed.TotalSeconds / count);
            watch.Restart();
            for (var i = 0; i < count; i++)
            {
                await inline.SubmitAsync(workload, i).ConfigureAwait(false);
            }

            inlines.Add(watch.Elapsed.TotalSeconds / count);
            watch.Restart();
            for (var i = 0; i < count; i++)
            {
                await HopAsync().ConfigureAwait(false);
            }

            hops.Add(watch.Elapsed.TotalSeconds / count);
        }

        child.StandardInput.Close();
        hopChild.StandardInput.Close();
        await child.WaitForExitAsync().ConfigureAwait(false);
        await hopChild.WaitForExitAsync().ConfigureAwait(false);
        return (Summarize(pools), Summarize(inlines), Summarize(raws), Summarize(hops));
    }

    /// <summary>Items per second of MapAsync(x => x + 1) over 1,000,000 inputs with default options, on a warm default pool.</summary>
    private static async Task<double> TinyItemsAsync(int count)
    {
        await using var pool = new ProcessPoolExecutor();
        await pool.StartWorkersAsync().ConfigureAwait(false);
        var workload = new PlusOne();
        long checksum = 0;
        await foreach (var result in pool.MapAsync(workload, Enumerable.Range(0, 200_000)).ConfigureAwait(false))
        {
            checksum += result;
        }

        var best = 0.0;
        for (var round = 0; round < 3; round++)
        {
            checksum = 0;
            var watch = Stopwatch.StartNew();
            await foreach (var result in pool.MapAsync(workload, Enumerable.Range(0, count)).ConfigureAwait(false))
            {
                checksum += result;
            }

            var rate = count / watch.Elapsed.TotalSeconds;
            best = Math.Max(best, rate);
            if (checksum != ((long)count * (count + 1) / 2))
            {
                throw new InvalidOperationException("Wrong results.");
            }
        }

        return best;
    }

    /// <summary>Speedups over sequential of a warm 2-worker pool and of Parallel.For, over the same two ranges; rounds alternate.</summary>
    private static async Task<(double Pool, double Parallel, TimeSpan Sequential)> PrimesAsync(int rounds)
    {
        (int From, int To)[] ranges = [(2, 500_000), (500_000, 1_000_000)];
        var workload = new PrimeCount();
        var expected = ranges.Sum(r => workload.Execute(r, new WorkContext(0)));
        await using var pool = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxConcurrency = 2 });
        await pool.StartWorkersAsync().ConfigureAwait(false);
        for (var i = 0; i < 3; i++)
        {
            await Task.WhenAll(ranges.Select(r => pool.SubmitAsync(workload, r))).ConfigureAwait(false);
        }

        int Sequential() => ranges.Sum(r => workload.Execute(r, new WorkContext(0)));
        int ParallelFor()
        {
            var counts = new int[ranges.Length];
            Parallel.For(0, ranges.Length, i => counts[i] = workload.Execute(ranges[i], new WorkContext(i)));
            return counts.Sum();
        }

        Sequential();
        ParallelFor();
        var bestSequential = TimeSpan.MaxValue;
        var bestParallel = TimeSpan.MaxValue;
        var bestPool = TimeSpan.MaxValue;
        for (var round = 0; round < rounds; round++)
        {
            bestSequential = Min(bestSequential, Time(Sequential, expected));
            bestParallel = Min(bestParallel, Time(ParallelFor, expected));
            var watch = Stopwatch.StartNew();
            var counts = await Task.WhenAll(ranges.Select(r => pool.SubmitAsync(workload, r))).ConfigureAwait(false);
            var elapsed = watch.Elapsed;
            if (counts.Sum() != expected)
            {
                throw new InvalidOperationException("Wrong prime count.");
            }

            bestPool = Min(bestPool, elapsed);
        }

        return (bestSequential / bestPool, bestSequential / bestParallel, bestSequential);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Time(Func<int> run, int expected)
    {
        var watch = Stopwatch.StartNew();
        var result = run();
        var elapsed = watch.Elapsed;
        return result == expected ? elapsed : throw new InvalidOperationException("Wrong prime count.");
    }

    /// <summary>
    /// Median seconds from creating a one-worker pool to its worker being ready, and from starting a minimal dotnet
    /// child (same app, same runtime config) to its first byte on stdout; the two alternate.
    /// </summary>
    private static async Task<(double Ready, double FirstResult, double Child)> ColdStartsAsync(int rounds)
    {
        var pools = new List<double>();
        var firstResults = new List<double>();
        var children = new List<double>();
        for (var i = 0; i < rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            using (var child = StartChild(ChildMode.FirstByte))
            {
                if (child.StandardOutput.BaseStream.ReadByte() < 0)
                {
                    throw new InvalidOperationException("The child wrote nothing.");
                }

                children.Add(watch.Elapsed.TotalSeconds);
                await child.WaitForExitAsync().ConfigureAwait(false);
            }

            watch.Restart();
            var pool = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxConcurrency = 1 });
            await pool.StartWorkersAsync().ConfigureAwait(false);
            pools.Add(watch.Elapsed.TotalSeconds);
            await pool.DisposeAsync().ConfigureAwait(false);

            // A cold pool used at once: start, serializer warm-up and the first item's round trip.
            watch.Restart();
            pool = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxConcurrency = 1 });
            await pool.SubmitAsync(new EmptyWorkload(), 1).ConfigureAwait(false);
            firstResults.Add(watch.Elapsed.TotalSeconds);
            await pool.DisposeAsync().ConfigureAwait(false);
        }

        return (Median(pools), Median(firstResults), Median(children));
    }

    private static Process StartChild(ChildMode mode)
    {
        var app = typeof(ProcessPoolBenchmarks).Assembly.Location;
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add("--runtimeconfig");
        info.ArgumentList.Add(Path.ChangeExtension(app, ".runtimeconfig.json"));
        info.ArgumentList.Add("--depsfile");
        info.ArgumentList.Add(Path.ChangeExtension(app, ".deps.json"));
        info.ArgumentList.Add(app);
        info.ArgumentList.Add(mode == ChildMode.Echo ? BenchmarkChild.EchoMarker : BenchmarkChild.FirstByteMarker);
        return Process.Start(info)!;
    }

    private static string DotnetHost()
    {
        var process = Environment.ProcessPath;
        if (process is not null && Path.GetFileName(process) == "dotnet")
        {
            return process;
        }

        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        return File.Exists(Path.Combine(root, "dotnet")) ? Path.Combine(root, "dotnet") : "dotnet";
    }

    private enum ChildMode
    {
        Echo,
        FirstByte,
    }
}

/// <summary>The empty item: the cost measured is the pool's alone.</summary>
public sealed class EmptyWorkload : IWorkload<int, int>
{
    /// <inheritdoc/>
    public int Execute(int input, WorkContext context) => input;
}

/// <summary>x => x + 1.</summary>
public sealed class PlusOne : IWorkload<int, int>
{
    /// <inheritdoc/>
    public int Execute(int input, WorkContext context) => input + 1;
}

/// <summary>Counts the primes in [From, To) by trial division.</summary>
public sealed class PrimeCount : IWorkload<(int From, int To), int>
{
    /// <inheritdoc/>
    public int Execute((int From, int To) input, WorkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var count = 0;
        for (var n = Math.Max(2, input.From); n < input.To; n++)
        {
            if (IsPrime(n))
            {
                count++;
            }
        }

        return count;
    }

    private static bool IsPrime(int n)
    {
        if (n < 4)
        {
            return n >= 2;
        }

        if (n % 2 == 0)
        {
            return false;
        }

        for (var d = 3; d * d <= n; d += 2)
        {
            if (n % d == 0)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// The child programs of the floors: started as <c>dotnet exec ... Concurrency.Benchmarks.dll --bench-echo-child</c>, the
/// benchmarks assembly behaves as a minimal program before its Main runs (a module initializer), so the floors need
/// no other project and no change to Program.cs.
/// </summary>
internal static class BenchmarkChild
{
    public const string EchoMarker = "--bench-echo-child";
    public const string FirstByteMarker = "--bench-first-byte-child";

#pragma warning disable CA2255 // A module initializer in an application, on purpose: see the summary.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RunIfChild()
    {
        var args = Environment.GetCommandLineArgs();
        if (args.Contains(FirstByteMarker))
        {
            using var stdout = Console.OpenStandardOutput();
            stdout.WriteByte(1);
            stdout.Flush();
            Environment.Exit(0);
        }

        if (args.Contains(EchoMarker))
        {
            using var input = Console.OpenStandardInput();
            using var output = Console.OpenStandardOutput();
            var buffer = new byte[16];
            while (true)
            {
                var read = 0;
                while (read < buffer.Length)
                {
                    var n = input.Read(buffer, read, buffer.Length - read);
                    if (n == 0)
                    {
                        Environment.Exit(0);
                    }

                    read += n;
                }

                output.Write(buffer);
            }
        }
    }
}
