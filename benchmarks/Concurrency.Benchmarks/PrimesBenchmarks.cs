using BenchmarkDotNet.Attributes;
using Concurrency.Samples.Workloads;
using Concurrency.Threads;

namespace Concurrency.Benchmarks;

/// <summary>
/// "primes" (primes below 1,000,000 by trial division, one range per core): ThreadPoolExecutor.MapAsync against
/// raw Parallel.For over the same ranges, and sequential. Target: MapAsync ≤ 1.05 × Parallel.For.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class PrimesBenchmarks
{
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
        var counts = new int[_ranges.Length];
        Parallel.For(0, _ranges.Length, i => counts[i] = _workload.Execute(_ranges[i], new WorkContext(i)));
        return Check(counts.Sum());
    }

    [Benchmark]
    public async Task<int> ExecutorMapAsync()
    {
        var total = 0;
        await foreach (var count in _executor.MapAsync(_workload, _ranges))
        {
            total += count;
        }

        return Check(total);
    }

    private static int Check(int total) => total == PrimesWorkload.PrimesBelowDefaultLimit
        ? total
        : throw new InvalidOperationException($"Counted {total} primes below {PrimesWorkload.DefaultLimit}, expected {PrimesWorkload.PrimesBelowDefaultLimit}.");
}
