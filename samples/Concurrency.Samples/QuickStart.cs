using Concurrency;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Concurrency.Samples;

// The workload: public, with a public parameterless constructor, so that it can also run in a worker process.
public sealed class SquareWorkload : IWorkload<int, long>
{
    public long Execute(int input, WorkContext context) => (long)input * input;
}

public static class QuickStart
{
    public static async Task RunAsync()
    {
        // Register an executor through DI, its kind chosen by configuration: Threads, Processes or SharedMemory.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Executor:Kind", "Threads")]).Build();
        await using var services = new ServiceCollection().AddWorkExecutor(configuration.GetSection("Executor")).BuildServiceProvider();
        var executor = services.GetRequiredService<IWorkExecutor>();

        // Run a workload: MapAsync spreads the items over the workers and yields the results in input order.
        await foreach (var square in executor.MapAsync(new SquareWorkload(), Enumerable.Range(1, 10)))
        {
            Console.Write($"{square} ");
        }
    }
}
