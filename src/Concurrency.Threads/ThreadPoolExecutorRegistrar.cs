using Concurrency.DependencyInjection;
using Concurrency.Threads;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

[assembly: Concurrency.WorkExecutorKind(ThreadPoolExecutor.KindName, typeof(ThreadPoolExecutorRegistrar))]

namespace Concurrency.Threads;

/// <summary>The <c>Threads</c> kind of <c>AddWorkExecutor(configuration)</c>.</summary>
internal sealed class ThreadPoolExecutorRegistrar : IWorkExecutorRegistrar
{
    public void Register(IServiceCollection services, IConfiguration configuration, string? serviceKey) =>
        ExecutorRegistration.Add<ThreadPoolExecutorOptions, ThreadPoolExecutor>(services, serviceKey, configure: null, configuration, static (o, l) => new ThreadPoolExecutor(o, l));
}
