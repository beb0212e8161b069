using Concurrency.Conformance.Tests;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans;

namespace Concurrency.Orleans.Tests;

/// <summary>What is particular to the cluster: spread over silos, the silo's workload rules, registration.</summary>
public sealed class OrleansExecutorTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private OrleansExecutor Create(int maxConcurrency) =>
        new(fixture.Cluster.Client, new OrleansExecutorOptions { MaxConcurrency = maxConcurrency });

    [Fact]
    public async Task Capabilities_SpanMachinesAndIsolateFailures()
    {
        await using var executor = Create(1);

        Assert.Equal(ExecutorCapabilities.SpansMachines | ExecutorCapabilities.IsolatesFailures, executor.Capabilities);
        Assert.Equal("Orleans", executor.Name);
    }

    [Fact]
    public async Task MapAsync_FourSlotsOnTwoSilos_RunsTwoItemsOnEachSilo()
    {
        await using var executor = Create(4);
        var group = Guid.NewGuid().ToString("N");

        // Four items that can only finish while all four run at once: each slot runs exactly one.
        var ids = new List<int>();
        await foreach (var id in executor.MapAsync(new RendezvousWorkload(), Enumerable.Range(0, 4).Select(i => new RendezvousInput(group, 4, i)), new MapOptions { BatchSize = 1, Ordered = false }).WithCancellation(CancellationToken.None))
        {
            ids.Add(id);
        }

        Assert.Equal([0, 1, 2, 3], ids.Order());
        var perSilo = executor.ItemsPerSilo;
        Assert.Equal(2, perSilo.Count);
        Assert.All(perSilo.Values, count => Assert.Equal(2, count));
    }

    [Fact]
    public async Task MapAsync_ManyBatches_SpreadsItemsOverBothSilos()
    {
        await using var executor = Create(4);

        var results = await ToListAsync(executor.MapAsync(new SquareWorkload(), Enumerable.Range(0, 10_000), new MapOptions { BatchSize = 50 }));

        Assert.Equal(Enumerable.Range(0, 10_000).Select(x => (long)x * x), results);
        var perSilo = executor.ItemsPerSilo;
        Assert.Equal(2, perSilo.Count);
        Assert.Equal(10_000, perSilo.Values.Sum());
        Assert.All(perSilo.Values, count => Assert.True(count > 0));
    }

    [Fact]
    public async Task MapAsync_TenThousandTinyItems_BatchesThemAutomatically()
    {
        await using var executor = Create(2);

        var results = await ToListAsync(executor.MapAsync(new IncrementWorkload(), Enumerable.Range(0, 10_000)));

        Assert.Equal(Enumerable.Range(1, 10_000), results);
        Assert.Equal(10_000, executor.ItemsPerSilo.Values.Sum());
        Assert.True(executor.GrainCalls < 1_000, $"10,000 tiny items took {executor.GrainCalls} grain calls: they were not batched.");
    }

    [Fact]
    public async Task SubmitAsync_WorkloadWithoutParameterlessConstructor_FailsWithClearMessage()
    {
        await using var executor = Create(1);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => executor.SubmitAsync(new NoDefaultConstructorWorkload(3), 2).WaitAsync(Patience));

        Assert.Equal(
            $"The silo cannot run workload {typeof(NoDefaultConstructorWorkload).FullName}: a workload that runs in the cluster must be a public, non-abstract class with a public parameterless constructor.",
            error.Message);
    }

    [Fact]
    public async Task SubmitAsync_InternalWorkload_FailsWithClearMessage()
    {
        await using var executor = Create(1);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => executor.SubmitAsync(new InternalWorkload(), 2).WaitAsync(Patience));

        Assert.Contains("must be a public, non-abstract class", error.Message);
    }

    [Fact]
    public async Task SubmitAsync_UnserializableInput_FailsWithNotSupportedAndTheExecutorCarriesOn()
    {
        await using var executor = Create(1);

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => executor.SubmitAsync(new UnserializableInputWorkload(), new UnserializableInput(() => 1)).WaitAsync(Patience));

        Assert.StartsWith($"Workload {typeof(UnserializableInputWorkload).FullName} or its inputs", error.Message);
        Assert.Equal(9L, await executor.SubmitAsync(new SquareWorkload(), 3).WaitAsync(Patience));
    }

    [Fact]
    public async Task WorkloadCatalog_TypeOutsideTheDeployment_IsRefused()
    {
        var catalog = new Internal.WorkloadCatalog();

        var resolution = catalog.Resolve(new Internal.WorkRequest
        {
            WorkloadAssembly = "Not.A.Deployed.Assembly",
            WorkloadType = "Evil.Workload",
            InputType = "System.Int32",
            ResultType = "System.Int32",
            Workload = [],
            Inputs = [],
        });

        Assert.Null(resolution.Runner);
        Assert.Equal("The silo cannot run workload Evil.Workload: its assembly 'Not.A.Deployed.Assembly' is not part of the silo's application. Deploy the assembly with the silo (reference it from the silo project).", resolution.Failure);
        await Task.CompletedTask;
    }

    [Fact]
    public void WorkloadCatalog_WorkloadWithoutParameterlessConstructor_IsRefusedBySiloToo()
    {
        var catalog = new Internal.WorkloadCatalog();

        var resolution = catalog.Resolve(new Internal.WorkRequest
        {
            WorkloadAssembly = typeof(NoDefaultConstructorWorkload).Assembly.GetName().Name!,
            WorkloadType = typeof(NoDefaultConstructorWorkload).FullName!,
            InputType = "System.Int32",
            ResultType = "System.Int32",
            Workload = [],
            Inputs = [],
        });

        Assert.Null(resolution.Runner);
        Assert.Equal($"The silo cannot run workload {typeof(NoDefaultConstructorWorkload).FullName}: a workload that runs in the cluster must be a public, non-abstract class with a public parameterless constructor.", resolution.Failure);
    }

    [Fact]
    public async Task WorkerGrain_WhileABatchRuns_StillAnswersPings()
    {
        // The batch runs on the thread pool, not in the grain's turn: the activation stays responsive.
        var gateName = Guid.NewGuid().ToString("N");
        var gate = Gates.Get(gateName);
        var grain = fixture.Cluster.Client.GetGrain<Internal.IWorkerGrain>($"test-{gateName}/0/0");
        var serializer = Internal.MessagePackPayloadSerializer.Instance;
        var run = grain.RunAsync(
            new Internal.WorkRequest
            {
                WorkloadAssembly = typeof(GatedWorkload).Assembly.GetName().Name!,
                WorkloadType = typeof(GatedWorkload).FullName!,
                InputType = typeof(GateInput).FullName!,
                ResultType = "System.Int32",
                Workload = serializer.Serialize(typeof(GatedWorkload), new GatedWorkload()),
                Inputs = serializer.Serialize(new[] { new GateInput(gateName, 21) }),
                WorkerId = 0,
            },
            CancellationToken.None);
        await gate.StartedAtLeastAsync(1).WaitAsync(Patience);

        var status = await grain.PingAsync().WaitAsync(Patience);

        Assert.True(status.Busy);
        Assert.NotNull(status.Silo);
        gate.Open();
        var response = await run.WaitAsync(Patience);
        Assert.Equal([Internal.ItemStatus.Succeeded], response.Statuses);
        Assert.Equal([42], serializer.Deserialize<int[]>(response.Results));
        Assert.Equal(1, response.ExecutedCount);
        Assert.False((await grain.PingAsync().WaitAsync(Patience)).Busy);
    }

    [Fact]
    public void WorkloadCatalog_NonWorkloadType_IsRefused()
    {
        var catalog = new Internal.WorkloadCatalog();

        var resolution = catalog.Resolve(new Internal.WorkRequest
        {
            WorkloadAssembly = "System.Private.CoreLib",
            WorkloadType = "System.Object",
            InputType = "System.Int32",
            ResultType = "System.Int32",
            Workload = [],
            Inputs = [],
        });

        Assert.Null(resolution.Runner);
        Assert.Contains("does not implement IWorkload<System.Int32, System.Int32>", resolution.Failure);
    }

    [Fact]
    public async Task AddOrleansExecutor_WithClusterClient_ResolvesAWorkingExecutor()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IGrainFactory>(fixture.Cluster.Client);
        services.AddOrleansExecutor(o => o.MaxConcurrency = 2);
        services.AddOrleansExecutor("cluster", o => o.MaxConcurrency = 3);
        await using var provider = services.BuildServiceProvider();

        var executor = provider.GetRequiredService<IWorkExecutor>();
        var keyed = provider.GetRequiredKeyedService<IWorkExecutor>("cluster");

        Assert.IsType<OrleansExecutor>(executor);
        Assert.Equal(2, executor.MaxConcurrency);
        Assert.Equal(3, keyed.MaxConcurrency);
        Assert.Equal("cluster", keyed.Name);
        Assert.Equal(16L, await executor.SubmitAsync(new SquareWorkload(), 4).WaitAsync(Patience));
    }

    [Fact]
    public async Task AddWorkExecutor_KindOrleans_ResolvesOrleansExecutorWithBoundOptions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Executor:Kind"] = "Orleans",
            ["Executor:MaxConcurrency"] = "3",
            ["Executor:MaxAttempts"] = "5",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IGrainFactory>(fixture.Cluster.Client);
        services.AddWorkExecutor(configuration.GetSection("Executor"));
        await using var provider = services.BuildServiceProvider();

        var executor = provider.GetRequiredService<IWorkExecutor>();

        Assert.IsType<OrleansExecutor>(executor);
        Assert.Equal(3, executor.MaxConcurrency);
        Assert.Equal(25L, await executor.SubmitAsync(new SquareWorkload(), 5).WaitAsync(Patience));
    }

    [Fact]
    public async Task AddOrleansExecutor_WithoutClusterClient_FailsWithActionableMessage()
    {
        var services = new ServiceCollection();
        services.AddOrleansExecutor();
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IWorkExecutor>());

        Assert.Equal("OrleansExecutor needs an Orleans client: register one with builder.UseOrleansClient(...) (or run inside a silo).", error.Message);
    }

    [Fact]
    public async Task AddOrleansExecutor_Twice_FirstRegistrationWinsAndOneExecutorIsShared()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IGrainFactory>(fixture.Cluster.Client);
        services.AddOrleansExecutor(o => o.MaxConcurrency = 2);
        services.AddOrleansExecutor();
        await using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(IWorkExecutor));
        Assert.Same(provider.GetRequiredService<IWorkExecutor>(), provider.GetRequiredService<OrleansExecutor>());
        Assert.Equal(2, provider.GetRequiredService<IWorkExecutor>().MaxConcurrency);
    }

    [Fact]
    public async Task AddOrleansExecutor_InvalidOptions_FailsValidationNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IGrainFactory>(fixture.Cluster.Client);
        services.AddOrleansExecutor("bad", o => o.MaxAttempts = 0);
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredKeyedService<IWorkExecutor>("bad"));

        Assert.Contains("Executor 'bad': OrleansExecutorOptions.MaxAttempts must be greater than 0, got 0. Use 1 for no retry.", error.Failures);
    }

    [Fact]
    public void Options_InvalidMaxAttempts_ThrowsNamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new OrleansExecutor(fixture.Cluster.Client, new OrleansExecutorOptions { MaxAttempts = 0 }));

        Assert.StartsWith("OrleansExecutorOptions.MaxAttempts must be greater than 0, got 0. Use 1 for no retry.", error.Message);
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
