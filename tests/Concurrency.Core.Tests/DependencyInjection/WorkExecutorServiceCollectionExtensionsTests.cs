using Concurrency.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Concurrency.Core.Tests.DependencyInjection;

public sealed class WorkExecutorServiceCollectionExtensionsTests
{
    [Fact]
    public void AddWorkExecutor_NullArguments_ThrowArgumentNullException()
    {
        var services = new ServiceCollection();
        var configuration = Section(("Kind", "Threads"));

        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => WorkExecutorServiceCollectionExtensions.AddWorkExecutor(null!, configuration)).ParamName);
        Assert.Equal("configuration", Assert.Throws<ArgumentNullException>(() => services.AddWorkExecutor(null!)).ParamName);
        Assert.Equal("serviceKey", Assert.Throws<ArgumentNullException>(() => services.AddWorkExecutor(null!, configuration)).ParamName);
        Assert.Equal("configuration", Assert.Throws<ArgumentNullException>(() => services.AddWorkExecutor("key", null!)).ParamName);
    }

    [Fact]
    public void AddWorkExecutor_NoExecutorPackageReferenced_SaysSoAndNamesThePackage()
    {
        // This test project references no executor package: no kind is available.
        Assert.Empty(WorkExecutorKinds.Available);
        var services = new ServiceCollection();

        var ex = Assert.Throws<InvalidOperationException>(() => services.AddWorkExecutor(Section(("Kind", "Threads"))));

        Assert.Equal(
            "Unknown executor kind 'Threads' in 'Executor:Kind'. The kinds this application references are: none (reference an executor package such as Concurrency.Threads). Kind 'Threads' comes with the package Concurrency.Threads: add a reference to it.",
            ex.Message);
        Assert.Empty(services);
    }

    [Fact]
    public void AddWorkExecutor_NoKindAndNoExecutorPackage_SaysSo()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddWorkExecutor(Section()));

        Assert.Equal(
            "The executor configuration has no 'Executor:Kind' value. Set it to one of the kinds this application references: none (reference an executor package such as Concurrency.Threads).",
            ex.Message);
    }

    [Fact]
    public void KnownPackages_Always_NameThePackageOfEachShippedKind()
    {
        Assert.Equal("Concurrency.Threads", WorkExecutorKinds.KnownPackages["threads"]);
        Assert.Equal("Concurrency.Processes", WorkExecutorKinds.KnownPackages["Processes"]);
        Assert.Equal("Concurrency.SharedMemory", WorkExecutorKinds.KnownPackages["SHAREDMEMORY"]);
        Assert.Equal("Concurrency.Orleans", WorkExecutorKinds.KnownPackages["Orleans"]);
    }

    private static IConfigurationSection Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("Executor:" + v.Key, v.Value)))
            .Build()
            .GetSection("Executor");
}
