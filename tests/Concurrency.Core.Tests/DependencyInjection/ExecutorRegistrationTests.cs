using Concurrency.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Concurrency.Core.Tests.DependencyInjection;

public sealed class ExecutorRegistrationTests
{
    [Fact]
    public void Validator_InvalidDefaultOptions_FailsWithTheOptionsMessages()
    {
        var result = new WorkExecutorOptionsValidator<WorkExecutorOptionsTests.TestOptions>()
            .Validate(Options.DefaultName, new WorkExecutorOptionsTests.TestOptions { QueueCapacity = 0 });

        Assert.True(result.Failed);
        Assert.Equal(["TestOptions.QueueCapacity must be greater than 0, got 0."], result.Failures);
    }

    [Fact]
    public void Validator_InvalidNamedOptions_PrefixesTheExecutorName()
    {
        var result = new WorkExecutorOptionsValidator<WorkExecutorOptionsTests.TestOptions>()
            .Validate("cpu", new WorkExecutorOptionsTests.TestOptions { QueueCapacity = 0 });

        Assert.Equal(["Executor 'cpu': TestOptions.QueueCapacity must be greater than 0, got 0."], result.Failures);
    }

    [Fact]
    public void Validator_ValidOptions_Succeeds()
    {
        var result = new WorkExecutorOptionsValidator<WorkExecutorOptionsTests.TestOptions>().Validate("cpu", new WorkExecutorOptionsTests.TestOptions());

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Add_NullServices_ThrowsArgumentNullException()
    {
        var ex = Assert.Throws<ArgumentNullException>(() =>
            ExecutorRegistration.Add<WorkExecutorOptionsTests.TestOptions, StubExecutor>(null!, null, null, null, (_, _) => throw new InvalidOperationException()));

        Assert.Equal("services", ex.ParamName);
    }

    [Fact]
    public void Add_SameKeyTwice_RegistersOneExecutorAndOneValidator()
    {
        var services = new ServiceCollection();

        ExecutorRegistration.Add<WorkExecutorOptionsTests.TestOptions, StubExecutor>(services, "k", null, null, (_, _) => new StubExecutor());
        ExecutorRegistration.Add<WorkExecutorOptionsTests.TestOptions, StubExecutor>(services, "k", null, null, (_, _) => new StubExecutor());

        Assert.Single(services, d => d.ServiceType == typeof(IWorkExecutor) && Equals(d.ServiceKey, "k"));
        Assert.Single(services, d => d.ServiceType == typeof(StubExecutor) && Equals(d.ServiceKey, "k"));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<WorkExecutorOptionsTests.TestOptions>));
    }

    /// <summary>An executor that runs nothing, to test registration alone.</summary>
    internal sealed class StubExecutor : IWorkExecutor
    {
        public string Name => "stub";

        public ExecutorCapabilities Capabilities => ExecutorCapabilities.None;

        public int MaxConcurrency => 1;

        public ValueTask DisposeAsync() => default;

        public Task<TResult> SubmitAsync<TInput, TResult>(IWorkload<TInput, TResult> workload, TInput input, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<TResult> MapAsync<TInput, TResult>(IWorkload<TInput, TResult> workload, IEnumerable<TInput> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<TResult> MapAsync<TInput, TResult>(IWorkload<TInput, TResult> workload, IAsyncEnumerable<TInput> inputs, MapOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
