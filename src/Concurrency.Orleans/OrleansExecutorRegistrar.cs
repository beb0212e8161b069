using Concurrency.Orleans;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

[assembly: Concurrency.WorkExecutorKind(OrleansExecutor.KindName, typeof(OrleansExecutorRegistrar))]

namespace Concurrency.Orleans;

/// <summary>The <c>Orleans</c> kind of <c>AddWorkExecutor(configuration)</c>.</summary>
internal sealed class OrleansExecutorRegistrar : IWorkExecutorRegistrar
{
    public void Register(IServiceCollection services, IConfiguration configuration, string? serviceKey) =>
        OrleansExecutorServiceCollectionExtensions.Register(services, serviceKey, configure: null, configuration);
}
