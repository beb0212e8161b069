using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Concurrency.Processes.Tests;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task AddProcessPoolExecutor_Resolved_RunsItemsAndStopsWithTheContainer()
    {
        var services = new ServiceCollection().AddProcessPoolExecutor(o => o.MaxConcurrency = 1);
        await using (var provider = services.BuildServiceProvider())
        {
            var executor = provider.GetRequiredService<IWorkExecutor>();
            Assert.IsType<ProcessPoolExecutor>(executor);
            Assert.Same(executor, provider.GetRequiredService<ProcessPoolExecutor>());
            Assert.Equal("Processes", executor.Name);
            Assert.Equal(2, await executor.SubmitAsync(new AddOne(), 1).Bounded());
        }

        TestSupport.AssertNoWorkers();
    }

    [Fact]
    public async Task AddProcessPoolExecutor_Keyed_UsesNamedOptionsAndTheKeyAsName()
    {
        var services = new ServiceCollection().AddProcessPoolExecutor("isolated", o => { o.MaxConcurrency = 2; o.ThreadsPerWorker = 2; });
        await using (var provider = services.BuildServiceProvider())
        {
            var executor = provider.GetRequiredKeyedService<IWorkExecutor>("isolated");
            Assert.Equal("isolated", executor.Name);
            Assert.Equal(2, executor.MaxConcurrency);
            Assert.Null(provider.GetService<IWorkExecutor>());
        }
    }

    [Fact]
    public void AddProcessPoolExecutor_Twice_FirstOneWinsAndOneHostedService()
    {
        var services = new ServiceCollection().AddProcessPoolExecutor().AddProcessPoolExecutor();
        Assert.Single(services, d => d.ServiceType == typeof(IWorkExecutor));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
    }

    [Fact]
    public void AddProcessPoolExecutor_InvalidOptions_FailsOnResolveWithTheMessage()
    {
        using var provider = new ServiceCollection().AddProcessPoolExecutor(o => o.ThreadsPerWorker = 0).BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IWorkExecutor>());
        Assert.Equal("ProcessPoolExecutorOptions.ThreadsPerWorker must be greater than 0, got 0.", ex.Message);
    }

    [Fact]
    public async Task AddWorkExecutor_KindProcesses_RegistersAConfiguredProcessPool()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Executor:Kind"] = "Processes",
            ["Executor:MaxConcurrency"] = "1",
            ["Executor:MaxItemsPerWorker"] = "100",
            ["Executor:ItemTimeout"] = "00:01:00",
        }).Build();
        var services = new ServiceCollection().AddWorkExecutor(configuration.GetSection("Executor"));
        await using (var provider = services.BuildServiceProvider())
        {
            var executor = Assert.IsType<ProcessPoolExecutor>(provider.GetRequiredService<IWorkExecutor>());
            Assert.Equal(1, executor.MaxConcurrency);
            Assert.Equal(2, await executor.SubmitAsync(new AddOne(), 1).Bounded());
        }

        TestSupport.AssertNoWorkers();
    }

    [Fact]
    public async Task HostedService_AtHostStart_PrestartsTheWorkers()
    {
        var services = new ServiceCollection().AddProcessPoolExecutor(o => o.MaxConcurrency = 2).AddProcessPoolExecutor("other", o => o.MaxConcurrency = 1);
        await using (var provider = services.BuildServiceProvider())
        {
            var hosted = Assert.Single(provider.GetServices<IHostedService>());
            await hosted.StartAsync(CancellationToken.None).Bounded();

            Assert.Equal(2, provider.GetRequiredService<ProcessPoolExecutor>().ReadyWorkerIds.Count);
            Assert.Single(provider.GetRequiredKeyedService<ProcessPoolExecutor>("other").ReadyWorkerIds);
            await hosted.StopAsync(CancellationToken.None);
        }

        TestSupport.AssertNoWorkers();
    }
}

public sealed class ProcessPoolExecutorOptionsTests
{
    public static TheoryData<Action<ProcessPoolExecutorOptions>, string> Invalid => new()
    {
        { o => o.ThreadsPerWorker = 0, "ProcessPoolExecutorOptions.ThreadsPerWorker must be greater than 0, got 0." },
        { o => { o.MaxConcurrency = 3; o.ThreadsPerWorker = 2; }, "ProcessPoolExecutorOptions.MaxConcurrency must be a multiple of ThreadsPerWorker (2), got 3: the pool runs MaxConcurrency / ThreadsPerWorker worker processes of ThreadsPerWorker threads each." },
        { o => o.ItemTimeout = TimeSpan.Zero, "ProcessPoolExecutorOptions.ItemTimeout must be greater than zero, got 00:00:00. Leave it null for no timeout." },
        { o => o.CancellationGracePeriod = TimeSpan.FromSeconds(-1), "ProcessPoolExecutorOptions.CancellationGracePeriod must be zero or positive, got -00:00:01." },
        { o => o.MaxItemsPerWorker = 0, "ProcessPoolExecutorOptions.MaxItemsPerWorker must be greater than 0, got 0. Leave it null for no limit." },
        { o => o.MaxWorkerMemory = -1, "ProcessPoolExecutorOptions.MaxWorkerMemory must be greater than 0 bytes, got -1. Leave it null for no limit." },
        { o => o.WorkerStartTimeout = TimeSpan.Zero, "ProcessPoolExecutorOptions.WorkerStartTimeout must be greater than zero, got 00:00:00." },
        { o => o.WorkerInitializer = typeof(AddOne), "ProcessPoolExecutorOptions.WorkerInitializer must be a public, non-abstract class of the application with a public parameterless constructor that implements IWorkerInitializer; Concurrency.Processes.Tests.AddOne is not: it does not implement Concurrency.Processes.IWorkerInitializer." },
        { o => o.Serializer = typeof(string), "ProcessPoolExecutorOptions.Serializer must be a public, non-abstract class of the application with a public parameterless constructor that implements IWorkSerializer; System.String is not: it has no public parameterless constructor." },
        { o => o.MaxConcurrency = 0, "ProcessPoolExecutorOptions.MaxConcurrency must be greater than 0, got 0. Leave it unset to use the processor count (" + Environment.ProcessorCount + ")." },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Constructor_InvalidOption_ThrowsArgumentExceptionWithExactMessage(Action<ProcessPoolExecutorOptions> configure, string message)
    {
        var options = new ProcessPoolExecutorOptions();
        configure(options);
        var ex = Assert.Throws<ArgumentException>(() => new ProcessPoolExecutor(options));
        Assert.Equal(message + " (Parameter 'options')", ex.Message);
    }

    [Fact]
    public void Constructor_Defaults_OneWorkerPerCore()
    {
        using var pool = new ProcessPoolExecutor();
        Assert.Equal(Environment.ProcessorCount, pool.MaxConcurrency);
        Assert.Empty(pool.WorkerProcessIds);
    }
}
