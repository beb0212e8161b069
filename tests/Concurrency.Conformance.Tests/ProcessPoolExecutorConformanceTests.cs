using Concurrency.Processes;
using Concurrency.Testing;

namespace Concurrency.Conformance.Tests;

public sealed class ProcessPoolExecutorConformanceTests : ExecutorConformanceTests
{
    protected override IWorkExecutor CreateExecutor(int maxConcurrency) =>
        new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxConcurrency = maxConcurrency, ShutdownTimeout = TimeSpan.FromSeconds(30) });

    protected override void AssertNothingLeftBehind(IWorkExecutor executor)
    {
        Assert.Empty(LeakCheck.ChildProcesses());
        Assert.Empty(LeakCheck.SharedMemoryFiles($"concurrency-{Environment.ProcessId}-"));
    }
}
