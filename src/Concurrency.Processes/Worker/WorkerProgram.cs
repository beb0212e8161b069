namespace Concurrency.Processes.Worker;

/// <summary>
/// The entry point of a worker process. Concurrency.Processes.dll is both the library an application
/// references and the program its workers run (see <see cref="Internal.WorkerLaunch"/>).
/// </summary>
internal static class WorkerProgram
{
    /// <summary>Exit code: started by hand, not by a pool.</summary>
    public const int NotStartedByPool = 2;

    /// <summary>Exit code: the parent sent something this worker cannot read.</summary>
    public const int ProtocolError = 70;

    /// <summary>Exit code: the parent went away (its end of the pipe closed without a shutdown message).</summary>
    public const int ParentGone = 71;

    public static int Main(string[] args)
    {
        if (args.Length != 1 || args[0] != Internal.Protocol.WorkerMarker)
        {
            Console.Error.WriteLine(
                "This is the worker program of Concurrency.Processes. ProcessPoolExecutor starts it with its protocol on stdin/stdout; it is not meant to be run by hand.");
            return NotStartedByPool;
        }

        // First: a parent that died while this worker started (before it could read a byte) is noticed too.
        WorkerStdio.WatchParent();
        var (input, output) = WorkerStdio.TakeProtocolStreams();
        return new WorkerHost(input, output).Run();
    }
}
