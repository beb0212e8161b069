using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Concurrency.Benchmarks;

/// <summary>
/// A short job that runs in this process: the machine has two shared cores, and building a separate
/// benchmark project per run costs more than the measurements. One launch, 3 warm-up and 7 measured iterations.
/// </summary>
public sealed class ShortInProcessConfig : ManualConfig
{
    public ShortInProcessConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(7)
            .WithId("ShortInProcess"));
        AddColumn(StatisticColumn.OperationsPerSecond);
        AddDiagnoser(MemoryDiagnoser.Default);
        HideColumns(Column.Job, Column.Toolchain, Column.LaunchCount, Column.WarmupCount, Column.IterationCount);
    }
}
