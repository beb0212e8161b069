using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Concurrency.Threads.Tests;

public sealed class ThreadPoolExecutorServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddThreadPoolExecutor_Default_ResolvesOneThreadPoolExecutorAsIWorkExecutor()
    {
        await using var provider = new ServiceCollection().AddThreadPoolExecutor().BuildServiceProvider();

        var executor = provider.GetRequiredService<IWorkExecutor>();

        var threads = Assert.IsType<ThreadPoolExecutor>(executor);
        Assert.Same(threads, provider.GetRequiredService<ThreadPoolExecutor>());
        Assert.Same(executor, provider.GetRequiredService<IWorkExecutor>());
        Assert.Equal("Threads", executor.Name);
        Assert.Equal(Environment.ProcessorCount, executor.MaxConcurrency);
        Assert.Equal(4, await executor.SubmitAsync(new Square(), 2).WaitAsync(Bounded.Timeout));
    }

    [Fact]
    public async Task AddThreadPoolExecutor_Configure_AppliesOptions()
    {
        await using var provider = new ServiceCollection()
            .AddThreadPoolExecutor(o =>
            {
                o.Name = "configured";
                o.MaxConcurrency = 3;
            })
            .BuildServiceProvider();

        var executor = provider.GetRequiredService<IWorkExecutor>();

        Assert.Equal("configured", executor.Name);
        Assert.Equal(3, executor.MaxConcurrency);
    }

    [Fact]
    public async Task AddThreadPoolExecutor_Keyed_ResolvesByKeyWithNamedOptions()
    {
        await using var provider = new ServiceCollection()
            .AddThreadPoolExecutor("cpu", o => o.MaxConcurrency = 2)
            .BuildServiceProvider();

        var executor = provider.GetRequiredKeyedService<IWorkExecutor>("cpu");

        Assert.IsType<ThreadPoolExecutor>(executor);
        Assert.Same(executor, provider.GetRequiredKeyedService<ThreadPoolExecutor>("cpu"));
        Assert.Equal("cpu", executor.Name);
        Assert.Equal(2, executor.MaxConcurrency);
        Assert.Equal(2, provider.GetRequiredService<IOptionsMonitor<ThreadPoolExecutorOptions>>().Get("cpu").MaxConcurrency);
        Assert.Null(provider.GetRequiredService<IOptions<ThreadPoolExecutorOptions>>().Value.MaxConcurrency);
        Assert.Null(provider.GetService<IWorkExecutor>());
    }

    [Fact]
    public async Task AddThreadPoolExecutor_KeyedWithName_KeepsTheConfiguredName()
    {
        await using var provider = new ServiceCollection()
            .AddThreadPoolExecutor("cpu", o => o.Name = "number-crunching")
            .BuildServiceProvider();

        Assert.Equal("number-crunching", provider.GetRequiredKeyedService<IWorkExecutor>("cpu").Name);
    }

    [Fact]
    public async Task AddThreadPoolExecutor_TwoKeysAndDefault_AreSeparateExecutorsWithSeparateOptions()
    {
        await using var provider = new ServiceCollection()
            .AddThreadPoolExecutor(o => o.MaxConcurrency = 1)
            .AddThreadPoolExecutor("a", o => o.MaxConcurrency = 2)
            .AddThreadPoolExecutor("b", o => o.MaxConcurrency = 3)
            .BuildServiceProvider();

        var main = provider.GetRequiredService<IWorkExecutor>();
        var a = provider.GetRequiredKeyedService<IWorkExecutor>("a");
        var b = provider.GetRequiredKeyedService<IWorkExecutor>("b");

        Assert.Equal([1, 2, 3], new[] { main.MaxConcurrency, a.MaxConcurrency, b.MaxConcurrency });
        Assert.Equal(["Threads", "a", "b"], new[] { main.Name, a.Name, b.Name });
    }

    [Fact]
    public async Task AddThreadPoolExecutor_Twice_RegistersOneExecutorAndAppliesBothConfigurations()
    {
        var services = new ServiceCollection()
            .AddThreadPoolExecutor(o => o.MaxConcurrency = 1)
            .AddThreadPoolExecutor(o => o.Name = "second");

        Assert.Single(services, d => d.ServiceType == typeof(IWorkExecutor));
        Assert.Single(services, d => d.ServiceType == typeof(ThreadPoolExecutor));
        await using var provider = services.BuildServiceProvider();
        var executor = Assert.Single(provider.GetServices<IWorkExecutor>());
        Assert.Equal(1, executor.MaxConcurrency);
        Assert.Equal("second", executor.Name);
    }

    [Fact]
    public void AddThreadPoolExecutor_KeyedTwice_RegistersOneExecutor()
    {
        var services = new ServiceCollection()
            .AddThreadPoolExecutor("cpu", o => o.MaxConcurrency = 1)
            .AddThreadPoolExecutor("cpu", o => o.MaxConcurrency = 2);

        Assert.Single(services, d => d.ServiceType == typeof(IWorkExecutor) && Equals(d.ServiceKey, "cpu"));
        Assert.Single(services, d => d.ServiceType == typeof(ThreadPoolExecutor) && Equals(d.ServiceKey, "cpu"));
    }

    [Fact]
    public async Task AddThreadPoolExecutor_InvalidOptions_FailStartupValidationSayingWhatToFix()
    {
        await using var provider = new ServiceCollection()
            .AddThreadPoolExecutor(o => o.MaxConcurrency = 0)
            .BuildServiceProvider();

        // What a host runs at start-up for ValidateOnStart.
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(
            $"ThreadPoolExecutorOptions.MaxConcurrency must be greater than 0, got 0. Leave it unset to use the processor count ({Environment.ProcessorCount}).",
            ex.Message);
        Assert.Equal(typeof(ThreadPoolExecutorOptions), ex.OptionsType);
    }

    [Fact]
    public async Task AddThreadPoolExecutor_InvalidKeyedOptions_FailValidationNamingTheExecutor()
    {
        await using var provider = new ServiceCollection()
            .AddThreadPoolExecutor("cpu", o =>
            {
                o.QueueCapacity = 0;
                o.ShutdownTimeout = TimeSpan.FromSeconds(-1);
            })
            .BuildServiceProvider();

        var atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        var atResolve = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<IWorkExecutor>("cpu"));

        Assert.Equal("cpu", atStart.OptionsName);
        Assert.Equal(
            [
                "Executor 'cpu': ThreadPoolExecutorOptions.QueueCapacity must be greater than 0, got 0.",
                "Executor 'cpu': ThreadPoolExecutorOptions.ShutdownTimeout must be zero or positive (or Timeout.InfiniteTimeSpan), got -00:00:01.",
            ],
            atStart.Failures);
        Assert.Equal(atStart.Failures, atResolve.Failures);
    }

    [Fact]
    public async Task AddThreadPoolExecutor_ValidOptions_PassStartupValidation()
    {
        await using var provider = new ServiceCollection()
            .AddThreadPoolExecutor(o => o.MaxConcurrency = 1)
            .AddThreadPoolExecutor("cpu")
            .BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public async Task DisposeAsync_ServiceProvider_DisposesTheExecutor()
    {
        var provider = new ServiceCollection()
            .AddThreadPoolExecutor(o => o.MaxConcurrency = 2)
            .AddThreadPoolExecutor("cpu", o => o.MaxConcurrency = 1)
            .BuildServiceProvider();
        var main = (ThreadPoolExecutor)provider.GetRequiredService<IWorkExecutor>();
        var keyed = (ThreadPoolExecutor)provider.GetRequiredKeyedService<IWorkExecutor>("cpu");

        await provider.DisposeAsync().AsTask().WaitAsync(Bounded.Timeout);

        Assert.All(main.Threads.Concat(keyed.Threads), t => Assert.False(t.IsAlive, $"{t.Name} is alive after the provider was disposed."));
        Assert.Throws<ObjectDisposedException>(() => { _ = main.SubmitAsync(new Square(), 1); });
        Assert.Throws<ObjectDisposedException>(() => { _ = keyed.SubmitAsync(new Square(), 1); });
    }

    [Fact]
    public void Dispose_ServiceProvider_DisposesTheExecutor()
    {
        var provider = new ServiceCollection().AddThreadPoolExecutor(o => o.MaxConcurrency = 1).BuildServiceProvider();
        var executor = (ThreadPoolExecutor)provider.GetRequiredService<IWorkExecutor>();

        provider.Dispose();

        Assert.All(executor.Threads, t => Assert.False(t.IsAlive));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void AddThreadPoolExecutor_EmptyKey_ThrowsArgumentException(string key)
    {
        // "" is the name of the default options: the keyed executor would share the unkeyed one's settings.
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentException>(() => services.AddThreadPoolExecutor(key, o => o.MaxConcurrency = 8));

        Assert.Equal("serviceKey", ex.ParamName);
        Assert.Empty(services);
    }

    [Fact]
    public void AddWorkExecutor_EmptyKey_ThrowsArgumentException()
    {
        var section = new ConfigurationBuilder()
            .AddInMemoryCollection([new("Executor:Kind", "Threads")])
            .Build()
            .GetSection("Executor");

        var ex = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddWorkExecutor(string.Empty, section));

        Assert.Equal("serviceKey", ex.ParamName);
    }

    [Fact]
    public void AddThreadPoolExecutor_NullArguments_ThrowArgumentNullException()
    {
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ThreadPoolExecutorServiceCollectionExtensions.AddThreadPoolExecutor(null!)).ParamName);
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ThreadPoolExecutorServiceCollectionExtensions.AddThreadPoolExecutor(null!, "k")).ParamName);
        Assert.Equal("serviceKey", Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddThreadPoolExecutor((string)null!)).ParamName);
    }
}
