using Concurrency.SharedMemory;
using Concurrency.Testing;

namespace Concurrency.Conformance.Tests;

/// <summary>
/// The conformance suite with <see cref="Processes.ProcessPoolExecutorOptions.AllowSynchronousContinuations"/>: callers
/// continue on the thread that read their result, and every semantic still holds. Run on the shared-memory executor,
/// which is the process pool on other queues, so the option is exercised on both.
/// </summary>
public sealed class SynchronousContinuationsConformanceTests : ExecutorConformanceTests
{
    protected override IWorkExecutor CreateExecutor(int maxConcurrency) =>
        new SharedMemoryExecutor(new SharedMemoryExecutorOptions { MaxConcurrency = maxConcurrency, ShutdownTimeout = TimeSpan.FromSeconds(30), AllowSynchronousContinuations = true });

    protected override bool ContinuationsMayRunOnExecutorThreads => true;

    protected override void AssertNothingLeftBehind(IWorkExecutor executor)
    {
        Assert.Empty(LeakCheck.ChildProcesses());
        Assert.Empty(LeakCheck.SharedMemoryFiles($"concurrency-{Environment.ProcessId}-"));
    }
}
