using Orleans.TestingHost;

namespace Concurrency.Orleans.Tests;

/// <summary>A silo killed while a map runs: no item is lost silently, nothing hangs. Each test has its own cluster.</summary>
public sealed class SiloLossTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task MapAsync_SiloKilledMidMap_IdempotentWorkloadCompletesEveryItemOnTheOtherSilo()
    {
        await using var cluster = await ClusterFixture.StartAsync(2);
        await using var executor = new OrleansExecutor(cluster.Client, new OrleansExecutorOptions { MaxConcurrency = 4 });
        var gateName = Guid.NewGuid().ToString("N");
        var gate = Gates.Get(gateName);
        var inputs = Enumerable.Range(0, 200).Select(i => new GateInput(gateName, i)).ToArray();

        var map = ToListAsync(executor.MapAsync(new IdempotentGatedWorkload(), inputs, new MapOptions { BatchSize = 5 }));
        await gate.StartedAtLeastAsync(4).WaitAsync(Patience);
        await KillSecondarySiloAsync(cluster);
        gate.Open();

        var results = await map.WaitAsync(Patience);
        Assert.Equal(inputs.Select(i => i.Value * 2), results);
        Assert.Single(cluster.GetActiveSilos());
    }

    [Fact]
    public async Task MapOutcomesAsync_SiloKilledMidMap_EveryItemCompletesOrFailsWithWorkerCrashed()
    {
        await using var cluster = await ClusterFixture.StartAsync(2);
        await using var executor = new OrleansExecutor(cluster.Client, new OrleansExecutorOptions { MaxConcurrency = 4 });
        var gateName = Guid.NewGuid().ToString("N");
        var gate = Gates.Get(gateName);
        var inputs = Enumerable.Range(0, 200).Select(i => new GateInput(gateName, i)).ToArray();

        var map = ToListAsync(executor.MapOutcomesAsync(new GatedWorkload(), inputs, new MapOptions { BatchSize = 5 }));
        await gate.StartedAtLeastAsync(4).WaitAsync(Patience);
        await KillSecondarySiloAsync(cluster);
        gate.Open();

        var outcomes = await map.WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), outcomes.Select(o => o.Index));
        var crashed = outcomes.Where(o => !o.Succeeded).ToList();
        Assert.NotEmpty(crashed);
        Assert.All(crashed, o =>
        {
            var error = Assert.IsType<WorkerCrashedException>(o.Exception);
            Assert.Contains("was not retried because workload", error.Message);
            Assert.InRange(error.WorkerId, 0, 3); // the first activation of one of the four slots
        });
        Assert.All(outcomes.Where(o => o.Succeeded), o => Assert.Equal(o.Index * 2, o.GetResultOrThrow()));

        // The executor carries on on the surviving silo.
        var after = await ToListAsync(executor.MapAsync(new GatedWorkload(), inputs.Take(20)));
        Assert.Equal(inputs.Take(20).Select(i => i.Value * 2), after);
    }

    [Fact]
    public async Task SubmitAsync_SiloWithoutAddConcurrencyWorkers_FailsWithActionableMessage()
    {
        await using var cluster = await ClusterFixture.StartAsync(1, addWorkers: false);
        await using var executor = new OrleansExecutor(cluster.Client, new OrleansExecutorOptions { MaxConcurrency = 1 });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => executor.SubmitAsync(new Conformance.Tests.SquareWorkload(), 3).WaitAsync(Patience));

        Assert.Equal("This silo does not run Concurrency workloads: call siloBuilder.AddConcurrencyWorkers() when configuring the silo.", error.Message);
    }

    private static async Task KillSecondarySiloAsync(InProcessTestCluster cluster)
    {
        var secondary = cluster.Silos[1];
        await cluster.KillSiloAsync(secondary).WaitAsync(Patience);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source.WithCancellation(CancellationToken.None))
        {
            list.Add(item);
        }

        return list;
    }
}
