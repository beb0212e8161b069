using Concurrency.Orleans.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Serialization;

#pragma warning disable IDE0130 // Namespace does not match folder structure: silo extensions live where Orleans' own are.
namespace Orleans.Hosting;
#pragma warning restore IDE0130

/// <summary>Lets a silo run the workloads of <c>Concurrency</c> executors.</summary>
public static class ConcurrencyWorkersSiloBuilderExtensions
{
    /// <summary>
    /// Lets this silo run work sent by an <see cref="global::Concurrency.Orleans.OrleansExecutor"/>: registers the worker grain and
    /// the workload catalog.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <returns>The value of <paramref name="builder"/>.</returns>
    /// <remarks>
    /// The silo runs only workload types of its own application: public classes with a public parameterless
    /// constructor that implement <see cref="global::Concurrency.IWorkload{TInput, TResult}"/>, from assemblies the silo's
    /// application references (its deployment). Reference the assembly of your workloads from the silo project.
    /// Items run on the silo's .NET thread pool, not on the Orleans scheduler.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ISiloBuilder AddConcurrencyWorkers(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<WorkerServices>();
        builder.Services.AddSerializer(serializer => serializer.AddAssembly(typeof(WorkerGrain).Assembly));
        return builder;
    }
}
