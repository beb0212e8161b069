using Concurrency.Threads;

namespace Concurrency.Conformance.Tests;

public sealed class ThreadPoolExecutorConformanceTests : ExecutorConformanceTests
{
    protected override IWorkExecutor CreateExecutor(int maxConcurrency) =>
        new ThreadPoolExecutor(new ThreadPoolExecutorOptions { MaxConcurrency = maxConcurrency, ShutdownTimeout = TimeSpan.FromSeconds(30) });

    protected override void AssertNothingLeftBehind(IWorkExecutor executor)
    {
        var threads = ((ThreadPoolExecutor)executor).Threads;
        Assert.All(threads, t => Assert.True(t.Join(Patience), $"Thread '{t.Name}' is still alive after DisposeAsync."));
    }
}
