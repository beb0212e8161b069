// A newcomer's application: it references the Concurrency packages by PackageReference only, registers each
// executor through dependency injection, and runs a workload defined here on each of them.
using Concurrency;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;

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

    // 2. Register it. The Orleans kind runs on a cluster: here a one-silo cluster on localhost, in this process.
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    if (kind == "Orleans")
    {
        builder.UseOrleans(silo => silo.UseLocalhostClustering().AddConcurrencyWorkers());
    }

    builder.Services.AddWorkExecutor(configuration.GetSection("Executor"));
    using var host = builder.Build();
    await host.StartAsync();

    // 3. Run the workload.
    var executor = host.Services.GetRequiredService<IWorkExecutor>();
    var results = new List<long>();
    await foreach (var result in executor.MapAsync(new SquarePlus { Add = 7 }, inputs))
    {
        results.Add(result);
    }

    var single = await executor.SubmitAsync(new SquarePlus { Add = 7 }, 12);
    var ok = results.SequenceEqual(expected) && single == 151;
    Console.WriteLine($"{kind,-14} {executor.Name,-14} {(ok ? "ok" : "WRONG RESULTS")}");
    failures += ok ? 0 : 1;
    await host.StopAsync();
}

// 4. Before switching kinds: the workload gives the same results on every kind that runs on this machine.
var local = kinds.Where(k => k != "Orleans").ToList();
if (local.Count >= 2)
{
    var verifier = new Concurrency.Testing.WorkloadVerifierOptions();
    local.ForEach(verifier.Kinds.Add);
    await Concurrency.Testing.WorkloadVerifier.VerifyAsync(new SquarePlus { Add = 7 }, inputs, verifier);
    Console.WriteLine($"verified       {string.Join(", ", local)}: the same results");
}

return failures;

/// <summary>The newcomer's own workload: x² + Add.</summary>
public sealed class SquarePlus : IWorkload<int, long>
{
    public int Add { get; set; }

    public long Execute(int input, WorkContext context) => (long)input * input + Add;
}
