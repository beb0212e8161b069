using Concurrency.Telemetry;
using Concurrency.Testing;

namespace Concurrency.Core.Tests.Telemetry;

public sealed class ExecutorTelemetryTests
{
    [Fact]
    public void Measurements_Always_AreTaggedWithExecutorNameAndKind()
    {
        var name = Guid.NewGuid().ToString("N");
        using var recorder = new MetricRecorder(name);
        var telemetry = new ExecutorTelemetry("Kind1", name);

        telemetry.Queued(3);
        telemetry.Dequeued(3);
        telemetry.ItemsStarted(2);
        telemetry.ItemsCompleted(1);
        telemetry.ItemFailed(new WorkloadException());
        telemetry.ItemDuration(5);

        Assert.Equal(6, recorder.Measurements.Count);
        Assert.All(recorder.Measurements, m =>
        {
            Assert.Equal(name, m.Tags["concurrency.executor.name"]);
            Assert.Equal("Kind1", m.Tags["concurrency.executor.kind"]);
        });
        Assert.Equal(0, recorder.Sum("concurrency.queue.length"));
        Assert.Equal(2, recorder.Sum("concurrency.items.started"));
        Assert.Equal(1, recorder.Sum("concurrency.items.completed"));
        Assert.Equal(1, recorder.Sum("concurrency.items.failed"));
        Assert.Single(recorder.Of("concurrency.item.duration"));
    }

    [Fact]
    public void TimesItems_DurationListened_IsTrue()
    {
        using var recorder = new MetricRecorder("any");

        Assert.True(ExecutorTelemetry.TimesItems);
    }

    [Theory]
    [InlineData(typeof(WorkloadException), "workload")]
    [InlineData(typeof(WorkerCrashedException), "crash")]
    [InlineData(typeof(WorkTimeoutException), "timeout")]
    [InlineData(typeof(OperationCanceledException), "cancelled")]
    [InlineData(typeof(TaskCanceledException), "cancelled")]
    [InlineData(typeof(IOException), "IOException")]
    public void ItemFailed_ExceptionType_TagsErrorType(Type exceptionType, string expected)
    {
        var name = Guid.NewGuid().ToString("N");
        using var recorder = new MetricRecorder(name);
        var telemetry = new ExecutorTelemetry("Kind1", name);

        telemetry.ItemFailed((Exception)Activator.CreateInstance(exceptionType)!);

        var failed = Assert.Single(recorder.Of("concurrency.items.failed"));
        Assert.Equal(1, failed.Value);
        Assert.Equal(expected, failed.Tags["error.type"]);
    }

    [Fact]
    public void ItemDuration_StopwatchTicks_RecordsSeconds()
    {
        var name = Guid.NewGuid().ToString("N");
        using var recorder = new MetricRecorder(name);
        var telemetry = new ExecutorTelemetry("Kind1", name);

        telemetry.ItemDuration(System.Diagnostics.Stopwatch.Frequency / 4);

        Assert.Equal(0.25, Assert.Single(recorder.Of("concurrency.item.duration")).Value, 6);
    }
}
