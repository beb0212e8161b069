// Owns an executor built on the process pool ("processes": ProcessPoolExecutor, "sharedmemory": SharedMemoryExecutor,
// which also holds a shared array), reports when its workers are ready (and, with "busy", running an item that never
// ends; with "starting", still starting: in a worker initializer that never returns), then waits to be killed. Used by
// the orphan tests of Concurrency.Processes.Tests and Concurrency.SharedMemory.Tests: the test kills this process with
// SIGKILL and checks that the workers exit on their own, and that the files it left in /dev/shm are reclaimed.
// With "starved" (for the supervision tests), it instead starves its own thread pool, runs an item past a 1 s
// ItemTimeout, and prints how the item ended, whether the thread pool was still starved then, and exits.
// Arguments: processes|sharedmemory <workers> idle|busy|starting|starved
using Concurrency;
using Concurrency.Processes;
using Concurrency.SharedMemory;

var workers = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var busy = args[2] == "busy";
var starting = args[2] == "starting";
var starved = args[2] == "starved";
var initializer = starting ? typeof(NeverReady) : null;
var itemTimeout = starved ? TimeSpan.FromSeconds(1) : (TimeSpan?)null;
SharedArray<double>? segment = null;
IWorkExecutor pool;
switch (args[0])
{
    case "processes":
        pool = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxConcurrency = workers, WorkerInitializer = initializer, ItemTimeout = itemTimeout, AllowSynchronousContinuations = starved });
        break;
    case "sharedmemory":
        pool = new SharedMemoryExecutor(new SharedMemoryExecutorOptions { MaxConcurrency = workers, WorkerInitializer = initializer, ItemTimeout = itemTimeout, AllowSynchronousContinuations = starved });
        segment = SharedArray<double>.Create(1024);
        segment.AsSpan().Fill(1);
        break;
    default:
        Console.Error.WriteLine($"unknown executor {args[0]}");
        return 2;
}

if (starved)
{
    // Still on the main thread (no await yet): nothing below needs a thread-pool thread, and with synchronous
    // continuations the item's task completes on the thread that settles it.
    var warm = Path.Combine(Path.GetTempPath(), $"starved-{Guid.NewGuid():N}");
    pool.SubmitAsync(new MarkAndWait(), new MarkAndWait.Input(warm, [], false)).GetAwaiter().GetResult();
    File.Delete(warm);
    const int Blockers = 64;
    ThreadPool.GetMaxThreads(out _, out var ioThreads);
    ThreadPool.SetMinThreads(1, 1);
    ThreadPool.SetMaxThreads(Environment.ProcessorCount, ioThreads);
    using var release = new ManualResetEventSlim();
    var entered = 0;
    for (var i = 0; i < Blockers; i++)
    {
        ThreadPool.UnsafeQueueUserWorkItem(
            _ =>
            {
                Interlocked.Increment(ref entered);
                release.Wait();
            },
            null);
    }

    SpinWait.SpinUntil(() => Volatile.Read(ref entered) >= Math.Min(ThreadPool.ThreadCount, Environment.ProcessorCount));
    var marker = Path.Combine(Path.GetTempPath(), $"starved-{Guid.NewGuid():N}");
    var running = pool.SubmitAsync(new MarkAndWait(), new MarkAndWait.Input(marker, [marker], Forever: true));
    var settled = ((IAsyncResult)running).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30));
    var stillStarved = Volatile.Read(ref entered) < Blockers;
    Console.WriteLine($"{(settled ? running.Exception?.InnerException?.GetType().Name ?? "COMPLETED" : "NOT-SETTLED")} {(stillStarved ? "STARVED" : "NOT-STARVED")}");
    Console.Out.Flush();
    release.Set();
    File.Delete(marker);
    pool.DisposeAsync().AsTask().GetAwaiter().GetResult();
    return 0;
}

if (starting)
{
    // Each worker creates a file named after its pid in this folder once it runs its initializer.
    var folder = Directory.CreateTempSubdirectory("orphan-starting-").FullName;
    Environment.SetEnvironmentVariable(NeverReady.FolderVariable, folder);
    _ = pool is SharedMemoryExecutor shared ? shared.StartWorkersAsync() : ((ProcessPoolExecutor)pool).StartWorkersAsync();
    while (Directory.GetFiles(folder).Length < workers)
    {
        await Task.Delay(10);
    }

    Directory.Delete(folder, recursive: true);
    Console.WriteLine($"READY {Environment.ProcessId}");
    Console.Out.Flush();
    await Task.Delay(Timeout.Infinite);
    GC.KeepAlive(segment);
    return 0;
}

// One item per worker, each of which waits until every worker runs one: then every worker has started. With "busy"
// they never return.
var markers = Enumerable.Range(0, workers).Select(_ => Path.Combine(Path.GetTempPath(), $"orphan-{Guid.NewGuid():N}")).ToArray();
var items = markers.Select(marker => pool.SubmitAsync(new MarkAndWait(), new MarkAndWait.Input(marker, markers, busy))).ToList();
if (busy)
{
    while (!markers.All(File.Exists))
    {
        await Task.Delay(10);
    }
}
else
{
    await Task.WhenAll(items);
}

Array.ForEach(markers, File.Delete);
Console.WriteLine($"READY {Environment.ProcessId}");
Console.Out.Flush();
await Task.Delay(Timeout.Infinite);
GC.KeepAlive(pool);
GC.KeepAlive(segment);
return 0;

/// <summary>Creates the file its input names, waits until every file of the input exists, then returns, or spins for ever (ignoring cancellation) when told to.</summary>
public sealed class MarkAndWait : IWorkload<MarkAndWait.Input, int>
{
    public int Execute(Input input, WorkContext context)
    {
        File.WriteAllText(input.Marker, "running");
        while (!input.All.All(File.Exists))
        {
            Thread.Sleep(5);
        }

        while (input.Forever)
        {
            Thread.SpinWait(1000);
        }

        return context.WorkerId;
    }

    public sealed record Input(string Marker, string[] All, bool Forever);
}

/// <summary>A worker initializer that marks that it runs, then never returns: a worker that is still starting.</summary>
public sealed class NeverReady : IWorkerInitializer
{
    public const string FolderVariable = "ORPHAN_STARTING_FOLDER";

    public void Initialize(WorkContext context)
    {
        File.WriteAllText(Path.Combine(Environment.GetEnvironmentVariable(FolderVariable)!, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)), "starting");
        Thread.Sleep(Timeout.Infinite);
    }
}
