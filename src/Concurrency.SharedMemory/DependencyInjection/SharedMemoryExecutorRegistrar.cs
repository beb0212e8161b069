using Concurrency.SharedMemory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

[assembly: Concurrency.WorkExecutorKind(SharedMemoryExecutor.KindName, typeof(SharedMemoryExecutorRegistrar))]

namespace Concurrency.SharedMemory;

/// <summary>The <c>SharedMemory</c> kind of <c>AddWorkExecutor(configuration)</c>.</summary>
internal sealed class SharedMemoryExecutorRegistrar : IWorkExecutorRegistrar
{
    public void Register(IServiceCollection services, IConfiguration configuration, string? serviceKey) =>
        SharedMemoryExecutorServiceCollectionExtensions.Register(services, serviceKey, configure: null, configuration);
}
