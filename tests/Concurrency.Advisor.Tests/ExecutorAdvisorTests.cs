using Concurrency.Threads;

namespace Concurrency.Advisor.Tests;

/// <summary>A compute-bound workload: a few hundred thousand multiply-adds per item.</summary>
public sealed class SpinWorkload : IWorkload<int, long>
{
    public long Execute(int input, WorkContext context)
    {
        long x = input;
        for (var i = 0; i < 300_000; i++)
        {
            x = (x * 31) + i;
        }

        return x;
    }
}

/// <summary>A workload no worker process can create: it is not public.</summary>
internal sealed class HiddenWorkload : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context) => input;
}

public sealed class ExecutorAdvisorTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AdviseAsync_OnThreadExecutor_MeasuresEverythingAndRecommends()
    {
        await using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 2 });
        var advisor = new ExecutorAdvisor(new ExecutorAdvisorOptions { MeasurementRuns = 1 });

        var recommendation = await advisor.AdviseAsync(new SpinWorkload(), [.. Enumerable.Range(0, 8)], [executor]).WaitAsync(Bound);

        Assert.Equal("Threads", recommendation.Executor);
        Assert.True(recommendation.ComputeTimePerItem > TimeSpan.Zero);
        Assert.Equal(10, recommendation.SerializedBytesPerItem); // an int (1 byte for 0..7) and a long (9 bytes) in MessagePack
        Assert.True(recommendation.SerializationTimePerItem > TimeSpan.Zero);
        Assert.True(recommendation.Speedups[executor.Name] > 0);
        Assert.Contains(recommendation.Reasons, r => r.StartsWith($"measured: {executor.Name} (Threads) ran the sample", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AdviseAsync_WorkloadMayCrash_RecommendsProcessesEvenWhenOnlyThreadsWereMeasured()
    {
        await using var executor = new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = 2 });
        var advisor = new ExecutorAdvisor(new ExecutorAdvisorOptions { MeasurementRuns = 1, WorkloadMayCrash = true });

        var recommendation = await advisor.AdviseAsync(new SpinWorkload(), [.. Enumerable.Range(0, 4)], [executor]).WaitAsync(Bound);

        Assert.Equal("Processes", recommendation.Executor);
        Assert.Contains("Processes was not measured here (not available to this application).", recommendation.Reasons);
    }

    [Fact]
    public async Task AdviseAsync_NonPublicWorkload_ThreadsBecauseNoWorkerCanCreateIt()
    {
        var advisor = new ExecutorAdvisor(new ExecutorAdvisorOptions { MeasurementRuns = 1 });

        var recommendation = await advisor.AdviseAsync(new HiddenWorkload(), [1, 2, 3], []).WaitAsync(Bound);

        Assert.Equal("Threads", recommendation.Executor);
        Assert.Equal($"the workload cannot run in a worker process: the workload type {typeof(HiddenWorkload).FullName} is not public. Threads: they share memory and serialize nothing.", recommendation.Reasons[0]);
    }

    [Fact]
    public async Task AdviseAsync_NoSampleInputs_ThrowsArgumentException()
    {
        var advisor = new ExecutorAdvisor();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => advisor.AdviseAsync(new SpinWorkload(), [], []));

        Assert.Equal("sampleInputs", error.ParamName);
    }

    [Fact]
    public void Constructor_ZeroMeasurementRuns_ThrowsWithTheValue()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ExecutorAdvisor(new ExecutorAdvisorOptions { MeasurementRuns = 0 }));

        Assert.StartsWith("ExecutorAdvisorOptions.MeasurementRuns must be at least 1, got 0.", error.Message, StringComparison.Ordinal);
    }
}
