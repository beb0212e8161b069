using Concurrency.Samples.Workloads;

namespace Concurrency.Samples;

/// <summary>Runs the article's CPU workloads sequentially and on an executor, checks their answers, and prints one table row each.</summary>
internal sealed class WorkloadRuns(IWorkExecutor executor, TextWriter output)
{
    private static readonly WorkContext SequentialContext = new(workerId: 0);

    public void WriteHeader()
    {
        output.WriteLine($"Times are the median of {Timing.TimedRuns} runs after a warm-up run; speedup = sequential / {executor.Name}.");
        output.WriteLine();
        output.WriteLine($"{"workload",-8} {"items",5}  {"result",-30} {"sequential",11} {executor.Name,11} {"speedup",8}");
    }

    /// <summary>"sum": four items, each <c>count += i</c> for i in 0..20,000,000.</summary>
    public async Task<bool> SumAsync()
    {
        var workload = new SumWorkload();
        var items = Enumerable.Range(0, SumWorkload.DefaultItems).ToArray();
        var sequential = await Timing.Measure(() => items.Select(i => workload.Execute(i, SequentialContext)).ToArray());
        var parallel = await Timing.MeasureAsync(() => executor.MapAsync(workload, items).ToArrayAsync().AsTask());
        var ok = sequential.Result.All(r => r == workload.ExpectedResult) && parallel.Result.SequenceEqual(sequential.Result);
        var result = $"{items.Length} x {workload.ExpectedResult:N0}";
        WriteRow("sum", items.Length, ok ? result : $"WRONG: {string.Join(", ", parallel.Result)}", sequential.Median, parallel.Median);
        return ok;
    }

    /// <summary>"primes": primes below 1,000,000 by trial division, one range per worker.</summary>
    public async Task<bool> PrimesAsync()
    {
        var workload = new PrimesWorkload();
        var ranges = NumberRange.Split(0, PrimesWorkload.DefaultLimit, Math.Max(1, executor.MaxConcurrency));
        var sequential = await Timing.Measure(() => ranges.Sum(r => workload.Execute(r, SequentialContext)));
        var parallel = await Timing.MeasureAsync(() => executor.MapAsync(workload, ranges).SumAsync().AsTask());
        var ok = sequential.Result == PrimesWorkload.PrimesBelowDefaultLimit && parallel.Result == PrimesWorkload.PrimesBelowDefaultLimit;
        var result = ok
            ? $"{parallel.Result:N0} primes (expected, ok)"
            : $"WRONG: {sequential.Result:N0} / {parallel.Result:N0}, expected {PrimesWorkload.PrimesBelowDefaultLimit:N0}";
        WriteRow("primes", ranges.Length, result, sequential.Median, parallel.Median);
        return ok;
    }

    private void WriteRow(string name, int items, string result, TimeSpan sequential, TimeSpan parallel)
    {
        var speedup = sequential / parallel;
        output.WriteLine($"{name,-8} {items,5}  {result,-30} {Ms(sequential),11} {Ms(parallel),11} {speedup,7:F2}x");
    }

    private static string Ms(TimeSpan time) => $"{time.TotalMilliseconds:N1} ms";
}
