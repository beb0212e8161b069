using Concurrency.SharedMemory;
using Concurrency.Testing;

namespace Concurrency.Conformance.Tests;

public sealed class SharedMemoryExecutorConformanceTests : ExecutorConformanceTests
{
    protected override IWorkExecutor CreateExecutor(int maxConcurrency) =>
        new SharedMemoryExecutor(new SharedMemoryExecutorOptions { MaxConcurrency = maxConcurrency, ShutdownTimeout = TimeSpan.FromSeconds(30) });

    protected override void AssertNothingLeftBehind(IWorkExecutor executor)
    {
        Assert.Empty(LeakCheck.ChildProcesses());
        Assert.Empty(LeakCheck.SharedMemoryFiles($"concurrency-{Environment.ProcessId}-"));
    }
}
