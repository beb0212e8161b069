using Concurrency.Samples.Matrix;
using Concurrency.Testing;
using Microsoft.Extensions.Configuration;

namespace Concurrency.Samples.Tests;

/// <summary>A small, fast matrix: every row complete (or explained), every answer right. No timing assertions.</summary>
public sealed class MatrixRunnerTests : IDisposable
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), $"concurrency-matrix-test-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    private MatrixRunner Runner(params string[] kinds) => new(
        new MatrixSettings(["sum", "primes", "pipeline", "inplace"], kinds, Scale: 0.01, Runs: 1, _output, TimeSpan.FromSeconds(1), PipelineIterations: 2),
        new ExecutorFactory(new ConfigurationBuilder().Build(), workers: 2));

    [Fact]
    public async Task RunAsync_ThreadsAndProcesses_EveryRowCompleteAndCorrect()
    {
        var steps = new List<MatrixStep>();
        var runner = Runner("Threads", "Processes");

        var rows = await runner.RunAsync(new SynchronousProgress(steps.Add), CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(
            ["sum/Sequential", "sum/Threads", "sum/Processes", "primes/Sequential", "primes/Threads", "primes/Processes", "pipeline/Sequential", "pipeline/Threads", "pipeline/Processes", "inplace/Sequential", "inplace/Threads", "inplace/Processes"],
            rows.Select(r => $"{r.Workload}/{r.Executor}"));
        Assert.All(rows, r =>
        {
            Assert.True(r.IsComplete, $"{r.Workload}/{r.Executor} is incomplete: {r}");
            Assert.True(r.Ok, $"{r.Workload}/{r.Executor}: {r.Answer} ({r.Note})");
            Assert.True(r.Speedup > 0);
        });
        Assert.All(rows.Where(r => r.Executor == "Threads"), r =>
        {
            Assert.Equal(0, r.BytesPerItem);
            Assert.Equal("no (would take the process down)", r.CrashSurvived);
            Assert.Equal("no (a running thread cannot be stopped)", r.HangStopped);
            Assert.Equal(1, r.Processes);
        });
        Assert.All(rows.Where(r => r.Executor == "Processes"), r =>
        {
            Assert.True(r.BytesPerItem > 0);
            Assert.StartsWith("yes (WorkerCrashedException, exit ", r.CrashSurvived, StringComparison.Ordinal);
            Assert.StartsWith("yes (WorkTimeoutException after ", r.HangStopped, StringComparison.Ordinal);
            Assert.True(r.Processes >= 3, $"this process and two workers, got {r.Processes}");
        });
        Assert.All(rows.Where(r => r.Workload == "inplace"), r => Assert.StartsWith("40,000 values, mean ", r.Answer, StringComparison.Ordinal));
        Assert.True(rows.Single(r => r.Workload == "inplace" && r.Executor == "Processes").BytesPerItem >= 2 * 2500 * sizeof(double), "a chunk out and back by value");
        Assert.Equal(runner.TotalSteps, steps[^1].Done);
        Assert.True(File.Exists(Path.Combine(_output, "pipeline-processes.db")));
        Assert.Empty(LeakCheck.ChildProcesses());
    }

    [Fact]
    public async Task RunAsync_UnavailableKind_RowsSayWhyInsteadOfFailing()
    {
        var rows = await Runner("NoSuchKind").RunAsync(null, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

        var skipped = rows.Where(r => r.Executor == "NoSuchKind").ToList();
        Assert.Equal(4, skipped.Count);
        Assert.All(skipped, r =>
        {
            Assert.False(r.IsComplete);
            Assert.StartsWith("not available: ", r.Note, StringComparison.Ordinal);
            Assert.Contains("NoSuchKind", r.Note, StringComparison.Ordinal);
        });
        Assert.All(rows.Where(r => r.Executor == MatrixRunner.Sequential), r => Assert.True(r.IsComplete && r.Ok));
    }

    [Fact]
    public void Report_Rows_MarkdownHasOneLinePerRowAndTheChartIsAPng()
    {
        MatrixRow[] rows =
        [
            new() { Workload = "sum", Executor = "Sequential", Workers = 1, Items = 4, Wall = TimeSpan.FromMilliseconds(80), Speedup = 1, PeakMemoryBytes = 50 << 20, Processes = 1, BytesPerItem = 0, CrashSurvived = "no (same process)", HangStopped = "no (same thread)", Answer = "4 x 1", Ok = true },
            new() { Workload = "sum", Executor = "Threads", Workers = 2, Items = 4, Wall = TimeSpan.FromMilliseconds(40), Speedup = 2, PeakMemoryBytes = 50 << 20, Processes = 1, BytesPerItem = 0, CrashSurvived = "no (would take the process down)", HangStopped = "no (a running thread cannot be stopped)", Answer = "4 x 1", Ok = true },
            new() { Workload = "sum", Executor = "SharedMemory", Note = "not available: no package" },
        ];
        Directory.CreateDirectory(_output);
        var chart = Path.Combine(_output, "matrix.png");

        var markdown = MatrixReport.ToMarkdown(rows);
        MatrixChart.Write(rows, chart, "test");

        Assert.Contains("| sum | Threads | 2 | 4 | 40 ms | 2.00x | 50 MiB (1) | 0 B | no (would take the process down) | no (a running thread cannot be stopped) | 4 x 1 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| sum | SharedMemory |  |  |  |  |  |  |  |  | not available (see note) |", markdown, StringComparison.Ordinal);
        Assert.Contains("Note: SharedMemory: not available: no package", markdown, StringComparison.Ordinal);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(chart).Take(4));
    }

    private sealed class SynchronousProgress(Action<MatrixStep> report) : IProgress<MatrixStep>
    {
        public void Report(MatrixStep value) => report(value);
    }
}
