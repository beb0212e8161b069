using Concurrency;
using Concurrency.Samples;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

SampleOptions options;
try
{
    options = SampleOptions.Parse(args);
}
catch (FormatException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(SampleOptions.Usage);
    return 0;
}

// appsettings.json, then --Section:Key arguments, then the sample's own options (--executor, --workers).
var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: true)
    .AddCommandLine([.. options.ConfigurationArguments])
    .AddInMemoryCollection(options.ToConfiguration())
    .Build();

ServiceProvider provider;
IWorkExecutor executor;
try
{
    // The one line that chooses the isolation model: Executor:Kind = Threads | Processes | SharedMemory.
    provider = new ServiceCollection()
        .AddWorkExecutor(configuration.GetSection("Executor"))
        .BuildServiceProvider();
    executor = provider.GetRequiredService<IWorkExecutor>();
}
catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException or ArgumentException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

await using (provider)
{
    Console.WriteLine($"Executor: {executor.Name} ({executor.GetType().Name}), {executor.MaxConcurrency} workers, capabilities: {executor.Capabilities}; {Environment.ProcessorCount} cores.");
    Console.WriteLine();
    var ok = true;
    var runs = new WorkloadRuns(executor, Console.Out);
    var headerWritten = false;
    foreach (var workload in options.Workloads)
    {
        switch (workload)
        {
            case "sum" or "primes":
                if (!headerWritten)
                {
                    runs.WriteHeader();
                    headerWritten = true;
                }

                ok &= workload == "sum" ? await runs.SumAsync() : await runs.PrimesAsync();
                break;
            case "race":
                Console.WriteLine();
                // More threads than cores: the OS then also interleaves them within a core, so the race shows even on a busy machine.
                RaceDemo.Run(Math.Max(4, options.Workers ?? executor.MaxConcurrency), incrementsPerThread: 5_000_000, Console.Out);
                break;
            case "quickstart":
                Console.WriteLine();
                Console.Write("quickstart: squares of 1..10 on the configured executor of QuickStart.cs: ");
                await QuickStart.RunAsync();
                Console.WriteLine();
                break;
        }
    }

    if (!ok)
    {
        Console.Error.WriteLine("error: a workload returned a wrong answer.");
        return 1;
    }
}

return 0;
