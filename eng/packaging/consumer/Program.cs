// A newcomer's application: it references the Concurrency packages by PackageReference only, registers each
// executor through dependency injection, and runs a workload defined here on each of them.
using Concurrency;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

var kinds = args.Length > 0 ? args : ["Threads"];
var inputs = Enumerable.Range(1, 1000).ToArray();
var expected = inputs.Select(x => (long)x * x + 7).ToArray();
var failures = 0;

foreach (var kind in kinds)
{
    // 1. Choose the executor by configuration alone.
    var configuration = new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["Executor:Kind"] = kind, ["Executor:MaxConcurrency"] = "2" })
        .Build();

    // 2. Register it.
    var services = new ServiceCollection();
    services.AddWorkExecutor(configuration.GetSection("Executor"));
    await using var provider = services.BuildServiceProvider();

    // 3. Run the workload.
    var executor = provider.GetRequiredService<IWorkExecutor>();
    var results = new List<long>();
    await foreach (var result in executor.MapAsync(new SquarePlus { Add = 7 }, inputs))
    {
        results.Add(result);
    }

    var single = await executor.SubmitAsync(new SquarePlus { Add = 7 }, 12);
    var ok = results.SequenceEqual(expected) && single == 151;
    Console.WriteLine($"{kind,-14} {executor.Name,-14} {(ok ? "ok" : "WRONG RESULTS")}");
    failures += ok ? 0 : 1;
}

return failures;

/// <summary>The newcomer's own workload: x² + Add.</summary>
public sealed class SquarePlus : IWorkload<int, long>
{
    public int Add { get; set; }

    public long Execute(int input, WorkContext context) => (long)input * input + Add;
}
