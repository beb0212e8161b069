using Concurrency.Processes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

[assembly: Concurrency.WorkExecutorKind(ProcessPoolExecutor.KindName, typeof(Concurrency.Processes.Internal.ProcessPoolExecutorRegistrar))]

namespace Concurrency.Processes.Internal;

/// <summary>The <c>Processes</c> kind of <c>AddWorkExecutor(configuration)</c>.</summary>
internal sealed class ProcessPoolExecutorRegistrar : IWorkExecutorRegistrar
{
    public void Register(IServiceCollection services, IConfiguration configuration, string? serviceKey) =>
        ProcessPoolExecutorServiceCollectionExtensions.Register(services, serviceKey, configure: null, configuration);
}
