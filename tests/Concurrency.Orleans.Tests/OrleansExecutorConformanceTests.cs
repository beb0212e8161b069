using Concurrency.Conformance.Tests;

namespace Concurrency.Orleans.Tests;

/// <summary>The shared conformance suite, run against <see cref="OrleansExecutor"/> on a two-silo cluster.</summary>
public sealed class OrleansExecutorConformanceTests(ClusterFixture fixture) : ExecutorConformanceTests, IClassFixture<ClusterFixture>
{
    protected override IWorkExecutor CreateExecutor(int maxConcurrency) =>
        new OrleansExecutor(fixture.Cluster.Client, new OrleansExecutorOptions { MaxConcurrency = maxConcurrency, ShutdownTimeout = TimeSpan.FromSeconds(30) });

    protected override void AssertNothingLeftBehind(IWorkExecutor executor) =>
        Assert.All(((OrleansExecutor)executor).SlotLoops, loop => Assert.True(loop.IsCompleted, "A slot loop is still running after DisposeAsync."));
}
