using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Concurrency.Orleans.Tests;

/// <summary>An in-process cluster of two silos that run the library's workloads, shared by the tests of a class.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await StartAsync(2);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Starts a cluster whose silos detect a dead member within a few seconds.</summary>
    public static async Task<InProcessTestCluster> StartAsync(short silos, bool addWorkers = true)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            if (addWorkers)
            {
                silo.AddConcurrencyWorkers();
            }

            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(1);
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return cluster;
    }
}
