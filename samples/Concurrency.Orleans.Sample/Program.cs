// Runs "primes" on a two-silo Orleans cluster on localhost through OrleansExecutor.
//
//   dotnet run -c Release --project samples/Concurrency.Orleans.Sample            the demo
//   dotnet run -c Release --project samples/Concurrency.Orleans.Sample -- --bench  round-trip cost, 1 silo vs 2 silos
//   dotnet run -c Release --project samples/Concurrency.Orleans.Sample -- --Executor:Kind=Threads
//                                                        the same work, on this process's threads: configuration only
//
// The same program plays two roles: without arguments it is the client, which starts two copies of itself
// in the "silo" role, runs the work across them, and stops them.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Concurrency;
using Concurrency.Orleans.Sample;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;

if (args is ["silo", var index, var siloPort, var gatewayPort, var primaryPort])
{
    await RunSiloAsync(int.Parse(index), int.Parse(siloPort), int.Parse(gatewayPort), int.Parse(primaryPort));
    return 0;
}

var bench = args.Contains("--bench");
var ports = FreePorts(4);
await using var silos = new SiloProcesses(ports);

// 1. Start two silos: separate processes, like two machines.
await silos.StartAsync(0);
if (!bench)
{
    await silos.StartAsync(1);
}

// 2. A client host: the Orleans client plus the executor, chosen by configuration like any other executor.
var builder = Host.CreateApplicationBuilder();
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Executor:Kind"] = "Orleans",
    ["Executor:MaxConcurrency"] = (2 * Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
});
builder.Configuration.AddCommandLine(args.Where(a => a.StartsWith("--Executor:", StringComparison.Ordinal)).ToArray());
builder.Services.AddWorkExecutor(builder.Configuration.GetSection("Executor"));

// Errors only: the bench starts the client before its second silo, and the client says so at every retry.
builder.Logging.SetMinimumLevel(LogLevel.Error);
builder.UseOrleansClient(client => client.UseLocalhostClustering(gatewayPorts: [ports[2], ports[3]]));
using var host = builder.Build();
await host.StartAsync();
var client = host.Services.GetRequiredService<IClusterClient>();

if (bench)
{
    await Bench.RunAsync(client, silos);
}
else
{
    // 3. Run "primes" across the cluster: one range per item, spread over the silos' slots.
    var executor = host.Services.GetRequiredService<IWorkExecutor>();
    Console.WriteLine($"executor: {executor.GetType().Name} '{executor.Name}', {executor.MaxConcurrency} slots, {executor.Capabilities}");
    await Demo.PrimesAsync(executor, limit: 1_000_000, ranges: 64, silos.Describe);
}

// 4. Stop: the client first, then the silos (gracefully).
await host.StopAsync();
return 0;

static async Task RunSiloAsync(int index, int siloPort, int gatewayPort, int primaryPort)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Error);

    // Standard output is the parent's channel ("READY"); logs go to standard error.
    builder.Logging.ClearProviders().AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    builder.UseOrleans(silo => silo
        .UseLocalhostClustering(siloPort, gatewayPort, new IPEndPoint(IPAddress.Loopback, primaryPort))
        .AddConcurrencyWorkers());
    using var host = builder.Build();
    await host.StartAsync();
    Console.WriteLine($"READY {index} {Environment.ProcessId}");

    // The parent closes our standard input to stop us.
    while (await Console.In.ReadLineAsync() is not null)
    {
    }

    await host.StopAsync();
}

static int[] FreePorts(int count)
{
    var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
    listeners.ForEach(l => l.Start());
    var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
    listeners.ForEach(l => l.Stop());
    return ports;
}

/// <summary>The demo's work.</summary>
internal static class Demo
{
    public static async Task<(int Primes, TimeSpan Elapsed, Dictionary<int, int> RangesPerProcess)> PrimesAsync(IWorkExecutor executor, int limit, int ranges, Func<int, string> describe, bool print = true)
    {
        var size = (limit + ranges - 1) / ranges;
        var inputs = Enumerable.Range(0, ranges).Select(i => new PrimeRange(i * size, Math.Min(limit, (i + 1) * size)));
        var watch = Stopwatch.StartNew();
        var total = 0;
        var perProcess = new Dictionary<int, int>();
        await foreach (var count in executor.MapAsync(new CountPrimesWorkload(), inputs, new MapOptions { BatchSize = 1 }))
        {
            total += count.Count;
            perProcess[count.ProcessId] = perProcess.GetValueOrDefault(count.ProcessId) + 1;
        }

        watch.Stop();
        if (print)
        {
            Console.WriteLine($"primes below {limit:N0}: {total:N0} (expected 78,498 below 1,000,000) in {watch.Elapsed.TotalMilliseconds:N0} ms on {executor.MaxConcurrency} slots");
            foreach (var (pid, n) in perProcess.OrderBy(p => p.Key))
            {
                Console.WriteLine($"  {describe(pid)} (pid {pid}): {n} ranges");
            }
        }

        return (total, watch.Elapsed, perProcess);
    }
}

/// <summary>Silo processes started by this program, stopped when disposed.</summary>
internal sealed class SiloProcesses(int[] ports) : IAsyncDisposable
{
    private readonly Dictionary<int, Process> _silos = [];
    private readonly Dictionary<int, int> _indexOfPid = [];

    public string Describe(int pid) => _indexOfPid.TryGetValue(pid, out var i) ? $"silo {i}" : pid == Environment.ProcessId ? "this process" : "another process";

    public async Task StartAsync(int index)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(SiloProcesses).Assembly.Location);
        }

        foreach (var arg in new[] { "silo", index.ToString(), ports[index].ToString(), ports[2 + index].ToString(), ports[0].ToString() })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        _silos[index] = process;
        string? ready;
        do
        {
            ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
        }
        while (ready is not null && !ready.StartsWith("READY", StringComparison.Ordinal));

        if (ready is null)
        {
            throw new InvalidOperationException($"Silo {index} exited before it was ready (exit code {process.ExitCode}); see its log above.");
        }

        _indexOfPid[process.Id] = index;
        Console.WriteLine($"silo {index} started (pid {process.Id}, silo port {ports[index]}, gateway port {ports[2 + index]})");
    }

    public async Task StopAsync(int index)
    {
        if (!_silos.Remove(index, out var process))
        {
            return;
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
        Console.WriteLine($"silo {index} stopped");
    }

    public async ValueTask DisposeAsync()
    {
        // The secondary first, so that the primary (the membership seed) goes last.
        foreach (var index in _silos.Keys.OrderDescending().ToList())
        {
            await StopAsync(index);
        }
    }
}
