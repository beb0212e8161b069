// Owns a process pool, reports when its workers are ready (and, with "busy", running an item that never
// ends), then waits to be killed. Used by the orphan test of Concurrency.Processes.Tests: the test kills this
// process with SIGKILL and checks that the workers exit on their own.
using Concurrency;
using Concurrency.Processes;

var workers = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2;
var busy = args.Length > 1 && args[1] == "busy";
var pool = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxConcurrency = workers });
await pool.StartWorkersAsync();
if (busy)
{
    var markers = Enumerable.Range(0, workers).Select(_ => Path.Combine(Path.GetTempPath(), $"orphan-{Guid.NewGuid():N}")).ToList();
    foreach (var marker in markers)
    {
        _ = pool.SubmitAsync(new SpinAfterMarking(), marker);
    }

    while (!markers.All(File.Exists))
    {
        await Task.Delay(10);
    }

    markers.ForEach(File.Delete);
}

Console.WriteLine($"READY {Environment.ProcessId}");
Console.Out.Flush();
await Task.Delay(Timeout.Infinite);
GC.KeepAlive(pool);

/// <summary>Creates the file its input names, then spins for ever, ignoring cancellation.</summary>
public sealed class SpinAfterMarking : IWorkload<string, int>
{
    public int Execute(string input, WorkContext context)
    {
        File.WriteAllText(input, "running");
        while (true)
        {
            Thread.SpinWait(1000);
        }
    }
}
