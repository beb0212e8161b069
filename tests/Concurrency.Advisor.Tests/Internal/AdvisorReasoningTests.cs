using Concurrency.Advisor.Internal;

namespace Concurrency.Advisor.Tests.Internal;

/// <summary>The advisor's reasoning on synthetic measurements whose right answer is known.</summary>
public sealed class AdvisorReasoningTests
{
    private const ExecutorCapabilities ThreadsCaps = ExecutorCapabilities.SharesMemory;
    private const ExecutorCapabilities ProcessesCaps = ExecutorCapabilities.IsolatesFailures | ExecutorCapabilities.HardCancellation;
    private const ExecutorCapabilities SharedMemoryCaps = ProcessesCaps | ExecutorCapabilities.ZeroCopyBuffers;

    /// <summary>A compute-bound item of 10 ms with 100 bytes that take 5 µs to serialize: no reason to prefer anything but the cheapest.</summary>
    private static WorkloadMeasurements ComputeBound() => new()
    {
        ComputePerItem = TimeSpan.FromMilliseconds(10),
        SerializedBytesPerItem = 100,
        SerializationPerItem = TimeSpan.FromMicroseconds(5),
    };

    [Fact]
    public void Recommend_TinyItems_ThreadsWithBatching()
    {
        var recommendation = AdvisorReasoning.Recommend(ComputeBound() with { ComputePerItem = TimeSpan.FromMicroseconds(2), SerializationPerItem = TimeSpan.FromMicroseconds(1) });

        Assert.Equal("Threads", recommendation.Executor);
        Assert.Empty(recommendation.Alternatives);
        Assert.StartsWith("items are tiny (2.0 µs of compute each): Threads, with batching", recommendation.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Recommend_HugeInputs_SharedMemoryOrThreads()
    {
        var recommendation = AdvisorReasoning.Recommend(ComputeBound() with { SerializedBytesPerItem = 8 << 20, SerializationPerItem = TimeSpan.FromMilliseconds(4) });

        Assert.Equal("Threads", recommendation.Executor);
        Assert.Equal(["SharedMemory"], recommendation.Alternatives);
        Assert.StartsWith("serialization is 40% of item time (8.0 MiB per item, 4.0 ms to serialize and read back, 10.0 ms of compute): SharedMemory or Threads", recommendation.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Recommend_LargeItemCheapToSerialize_StillCountsAsCostly()
    {
        var recommendation = AdvisorReasoning.Recommend(ComputeBound() with { SerializedBytesPerItem = 2 << 20, SerializationPerItem = TimeSpan.FromMicroseconds(100) });

        Assert.Equal(["SharedMemory"], recommendation.Alternatives);
    }

    [Fact]
    public void Recommend_CrashingWorkload_Processes()
    {
        var recommendation = AdvisorReasoning.Recommend(ComputeBound() with { MayCrash = true });

        Assert.Equal("Processes", recommendation.Executor);
        Assert.Equal(["SharedMemory"], recommendation.Alternatives);
        Assert.StartsWith("the workload may crash the process: Processes", recommendation.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Recommend_CrashingWorkloadWithHugeInputs_SharedMemory()
    {
        var recommendation = AdvisorReasoning.Recommend(ComputeBound() with { MayCrash = true, SerializedBytesPerItem = 8 << 20, SerializationPerItem = TimeSpan.FromMilliseconds(6) });

        Assert.Equal("SharedMemory", recommendation.Executor);
        Assert.Equal(["Processes"], recommendation.Alternatives);
        Assert.Contains(recommendation.Reasons, r => r.StartsWith("serialization is 60% of item time", StringComparison.Ordinal) && r.Contains(": SharedMemory — ", StringComparison.Ordinal));
    }

    [Fact]
    public void Recommend_HangingWorkload_ProcessesWithItemTimeout()
    {
        var recommendation = AdvisorReasoning.Recommend(ComputeBound() with { MayHang = true });

        Assert.Equal("Processes", recommendation.Executor);
        Assert.StartsWith("an item may hang, ignoring its token: Processes with ItemTimeout", recommendation.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Recommend_UnserializableInput_ThreadsOnly()
    {
        var recommendation = AdvisorReasoning.Recommend(ComputeBound() with { SerializationProblem = "Stream cannot be serialized" });

        Assert.Equal("Threads", recommendation.Executor);
        Assert.Empty(recommendation.Alternatives);
        Assert.Equal("the workload cannot run in a worker process: Stream cannot be serialized. Threads: they share memory and serialize nothing.", recommendation.Reasons[0]);
    }

    [Fact]
    public void Recommend_CrashingWorkloadThatCannotRunInAWorker_ThreadsWithWhatToFix()
    {
        var recommendation = AdvisorReasoning.Recommend(ComputeBound() with { MayCrash = true, WorkerProblem = "the workload type W is not public" });

        Assert.Equal("Threads", recommendation.Executor);
        Assert.StartsWith("the workload may crash, which calls for Processes, but it cannot run in a worker: the workload type W is not public. Fix that", recommendation.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Recommend_ComputeBound_ThreadsWithIsolatingAlternatives()
    {
        var recommendation = AdvisorReasoning.Recommend(ComputeBound());

        Assert.Equal("Threads", recommendation.Executor);
        Assert.Equal(["Processes", "SharedMemory"], recommendation.Alternatives);
        Assert.StartsWith("compute-bound items (10.0 ms each) that serialize cheaply (0% of item time)", recommendation.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Recommend_MeasuredExecutors_ReportsSpeedupsByName()
    {
        var recommendation = AdvisorReasoning.Recommend(ComputeBound() with
        {
            Executors = [new("Threads", ThreadsCaps, 1.9), new("Processes", ProcessesCaps, 1.7)],
        });

        Assert.Equal(1.9, recommendation.Speedups["Threads"]);
        Assert.Equal(1.7, recommendation.Speedups["Processes"]);
        Assert.Contains("measured: Threads (Threads) ran the sample 1.90x as fast as sequential.", recommendation.Reasons);
        Assert.Contains("measured: Processes (Processes) ran the sample 1.70x as fast as sequential.", recommendation.Reasons);
    }

    [Fact]
    public void Recommend_RecommendedKindFailedToRun_NextKindThatRanIsRecommended()
    {
        var recommendation = AdvisorReasoning.Recommend(ComputeBound() with
        {
            MayCrash = true,
            SerializedBytesPerItem = 8 << 20,
            SerializationPerItem = TimeSpan.FromMilliseconds(6),
            Executors = [new("SharedMemory", SharedMemoryCaps, null, "boom"), new("Processes", ProcessesCaps, 1.5)],
        });

        Assert.Equal("Processes", recommendation.Executor);
        Assert.Equal(["SharedMemory"], recommendation.Alternatives);
        Assert.Contains("SharedMemory failed to run the workload here, so Processes is recommended instead.", recommendation.Reasons);
        Assert.Contains("measured: SharedMemory (SharedMemory) could not run the workload: boom.", recommendation.Reasons);
    }

    [Fact]
    public void Recommend_RecommendedKindNotMeasured_SaysSo()
    {
        var recommendation = AdvisorReasoning.Recommend(ComputeBound() with { MayCrash = true, Executors = [new("Threads", ThreadsCaps, 1.9)] });

        Assert.Equal("Processes", recommendation.Executor);
        Assert.Contains("Processes was not measured here (not available to this application).", recommendation.Reasons);
    }

    [Fact]
    public void Recommend_NoExecutorFaster_SaysParallelismDoesNotPay()
    {
        var recommendation = AdvisorReasoning.Recommend(ComputeBound() with { Executors = [new("Threads", ThreadsCaps, 1.02)] });

        Assert.Contains(recommendation.Reasons, r => r.StartsWith("no executor beat sequential by 10% on these inputs (best 1.02x)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ExecutorCapabilities.SharesMemory, "Threads")]
    [InlineData(ExecutorCapabilities.IsolatesFailures | ExecutorCapabilities.HardCancellation, "Processes")]
    [InlineData(ExecutorCapabilities.IsolatesFailures | ExecutorCapabilities.HardCancellation | ExecutorCapabilities.ZeroCopyBuffers, "SharedMemory")]
    [InlineData(ExecutorCapabilities.IsolatesFailures | ExecutorCapabilities.SpansMachines, "Cluster")]
    public void KindOf_Capabilities_NamesTheKind(ExecutorCapabilities capabilities, string kind) =>
        Assert.Equal(kind, AdvisorReasoning.KindOf(capabilities));
}
