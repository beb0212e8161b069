using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Concurrency.Samples.Workloads;
using Concurrency.Threads;

namespace Concurrency.Benchmarks;

/// <summary>
/// "primes" (primes below 1,000,000 by trial division, one range per core): ThreadPoolExecutor.MapAsync against
/// raw Parallel.For over the same ranges, and sequential. Target: MapAsync ≤ 1.05 × Parallel.For.
/// </summary>
/// <remarks>
/// BenchmarkDotNet raises the priority of the process while it measures; on Linux that changes the nice value of
/// the main thread only (nice is per thread there). Sequential and Parallel.For compute on the main thread and the
/// executor on its own threads, so on a busy machine the comparison would favour the first two. Every operation
/// therefore starts by putting the main thread back to normal priority (one system call, microseconds against
/// tens of milliseconds), so that all the threads compete on equal terms.
/// </remarks>
[Config(typeof(ShortInProcessConfig))]
public class PrimesBenchmarks
{
    private static readonly Process Self = Process.GetCurrentProcess();
    private static readonly WorkContext Context = new(workerId: 0);
    private readonly PrimesWorkload _workload = new();
    private ThreadPoolExecutor _executor = null!;
    private NumberRange[] _ranges = [];

    [GlobalSetup]
    public void Setup()
    {
        _executor = new ThreadPoolExecutor();
        _ranges = NumberRange.Split(0, PrimesWorkload.DefaultLimit, Environment.ProcessorCount);
    }

    [GlobalCleanup]
    public void Cleanup() => _executor.Dispose();

    [Benchmark]
    public int Sequential()
    {
        EqualPriority();
        var total = 0;
        foreach (var range in _ranges)
        {
            total += _workload.Execute(range, Context);
        }

        return Check(total);
    }

    [Benchmark(Baseline = true)]
    public int ParallelFor()
    {
        EqualPriority();
        var counts = new int[_ranges.Length];
        Parallel.For(0, _ranges.Length, i => counts[i] = _workload.Execute(_ranges[i], new WorkContext(i)));
        return Check(counts.Sum());
    }

    [Benchmark]
    public async Task<int> ExecutorMapAsync()
    {
        EqualPriority();
        var total = 0;
        await foreach (var count in _executor.MapAsync(_workload, _ranges))
        {
            total += count;
        }

        return Check(total);
    }

    private static void EqualPriority()
    {
        Self.Refresh(); // Process caches the priority class it last saw.
        if (Self.PriorityClass != ProcessPriorityClass.Normal)
        {
            Self.PriorityClass = ProcessPriorityClass.Normal;
        }
    }

    private static int Check(int total) => total == PrimesWorkload.PrimesBelowDefaultLimit
        ? total
        : throw new InvalidOperationException($"Counted {total} primes below {PrimesWorkload.DefaultLimit}, expected {PrimesWorkload.PrimesBelowDefaultLimit}.");
}
