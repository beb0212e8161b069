using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Concurrency.Threads.Tests;

/// <summary><c>AddWorkExecutor(configuration)</c> finding the <c>Threads</c> kind that this package brings.</summary>
public sealed class ThreadPoolExecutorRegistrarTests
{
    [Theory]
    [InlineData("Threads")]
    [InlineData("threads")]
    [InlineData("THREADS")]
    public async Task AddWorkExecutor_KindThreadsAnyCase_RegistersThreadPoolExecutorBoundToTheSection(string kind)
    {
        var section = Section(("Kind", kind), ("Name", "from-config"), ("MaxConcurrency", "3"), ("QueueCapacity", "5"), ("ShutdownTimeout", "00:00:02"));
        await using var provider = new ServiceCollection().AddWorkExecutor(section).BuildServiceProvider();

        var executor = provider.GetRequiredService<IWorkExecutor>();

        Assert.IsType<ThreadPoolExecutor>(executor);
        Assert.Equal("from-config", executor.Name);
        Assert.Equal(3, executor.MaxConcurrency);
        var options = provider.GetRequiredService<IOptions<ThreadPoolExecutorOptions>>().Value;
        Assert.Equal(5, options.QueueCapacity);
        Assert.Equal(TimeSpan.FromSeconds(2), options.ShutdownTimeout);
        Assert.Equal(9, await executor.SubmitAsync(new Square(), 3).WaitAsync(Bounded.Timeout));
    }

    [Fact]
    public async Task AddWorkExecutor_KindOnly_UsesDefaults()
    {
        await using var provider = new ServiceCollection().AddWorkExecutor(Section(("Kind", "Threads"))).BuildServiceProvider();

        var executor = provider.GetRequiredService<IWorkExecutor>();

        Assert.Equal("Threads", executor.Name);
        Assert.Equal(Environment.ProcessorCount, executor.MaxConcurrency);
    }

    [Fact]
    public async Task AddWorkExecutor_Keyed_RegistersKeyedExecutorNamedAfterTheKey()
    {
        await using var provider = new ServiceCollection()
            .AddWorkExecutor("cpu", Section(("Kind", "Threads"), ("MaxConcurrency", "2")))
            .BuildServiceProvider();

        var executor = provider.GetRequiredKeyedService<IWorkExecutor>("cpu");

        Assert.IsType<ThreadPoolExecutor>(executor);
        Assert.Equal("cpu", executor.Name);
        Assert.Equal(2, executor.MaxConcurrency);
        Assert.Null(provider.GetService<IWorkExecutor>());
    }

    [Fact]
    public async Task AddWorkExecutor_InvalidValueInSection_FailsStartupValidationSayingWhatToFix()
    {
        await using var provider = new ServiceCollection()
            .AddWorkExecutor("cpu", Section(("Kind", "Threads"), ("MaxConcurrency", "0")))
            .BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            $"Executor 'cpu': ThreadPoolExecutorOptions.MaxConcurrency must be greater than 0, got 0. Leave it unset to use the processor count ({Environment.ProcessorCount}).",
            ex.Message);
    }

    [Fact]
    public void AddWorkExecutor_NoKind_ThrowsListingTheKnownKinds()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddWorkExecutor(Section(("MaxConcurrency", "2"))));

        Assert.Equal("The executor configuration has no 'Executor:Kind' value. Set it to one of the kinds this application references: Threads.", ex.Message);
    }

    [Fact]
    public void AddWorkExecutor_BlankKind_ThrowsListingTheKnownKinds()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddWorkExecutor(Section(("Kind", "  "))));

        Assert.StartsWith("The executor configuration has no 'Executor:Kind' value.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddWorkExecutor_KindOfAPackageNotReferenced_ThrowsNamingThePackage()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<InvalidOperationException>(() => services.AddWorkExecutor(Section(("Kind", "Orleans"))));

        Assert.Equal(
            "Unknown executor kind 'Orleans' in 'Executor:Kind'. The kinds this application references are: Threads. Kind 'Orleans' comes with the package Concurrency.Orleans: add a reference to it.",
            ex.Message);
        Assert.Empty(services);
    }

    [Fact]
    public void AddWorkExecutor_NonsenseKind_ThrowsAskingToCheckTheSpelling()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddWorkExecutor(Section(("Kind", "Fibers"))));

        Assert.Equal(
            "Unknown executor kind 'Fibers' in 'Executor:Kind'. The kinds this application references are: Threads. No package of this library brings a kind named 'Fibers'; check the spelling.",
            ex.Message);
    }

    [Fact]
    public void AddWorkExecutor_RootConfiguration_NamesTheBareKey()
    {
        var root = new ConfigurationBuilder().AddInMemoryCollection([new("Kind", "Nope")]).Build();

        var ex = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddWorkExecutor(root));

        Assert.StartsWith("Unknown executor kind 'Nope' in 'Kind'.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddWorkExecutor_NestedSection_NamesTheFullPath()
    {
        var root = new ConfigurationBuilder().AddInMemoryCollection([new("App:Executors:Cpu:Kind", "Threads")]).Build();
        await using var provider = new ServiceCollection().AddWorkExecutor(root.GetSection("App:Executors:Cpu")).BuildServiceProvider();

        Assert.IsType<ThreadPoolExecutor>(provider.GetRequiredService<IWorkExecutor>());
        var ex = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddWorkExecutor(root.GetSection("App:Executors:Gpu")));
        Assert.StartsWith("The executor configuration has no 'App:Executors:Gpu:Kind' value.", ex.Message, StringComparison.Ordinal);
    }

    private static IConfigurationSection Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("Executor:" + v.Key, v.Value)))
            .Build()
            .GetSection("Executor");
}
