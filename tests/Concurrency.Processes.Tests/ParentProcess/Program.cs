// Owns a process pool, reports when its workers are ready, then waits to be killed.
// Used by the orphan test of Concurrency.Processes.Tests: the test kills this process with SIGKILL and
// checks that the workers exit on their own.
using Concurrency.Processes;

var workers = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2;
var pool = new ProcessPoolExecutor(new ProcessPoolExecutorOptions { MaxConcurrency = workers });
await pool.StartWorkersAsync();
Console.WriteLine($"READY {Environment.ProcessId}");
Console.Out.Flush();
await Task.Delay(Timeout.Infinite);
GC.KeepAlive(pool);
