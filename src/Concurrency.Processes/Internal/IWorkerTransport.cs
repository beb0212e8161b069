namespace Concurrency.Processes.Internal;

/// <summary>
/// Another way for frames to travel between the pool and a worker once the worker has read its Hello from
/// stdin (e.g. rings in shared memory instead of pipes). The parent creates a connection per worker and names
/// it in the Hello; the worker creates the same transport type and opens the connection by that name.
/// </summary>
internal interface IWorkerTransport
{
    /// <summary>Gets the executor kind that uses this transport, for names, logs and metrics.</summary>
    string Kind { get; }

    /// <summary>Gets the assembly-qualified name of the type the worker creates (this type, with a parameterless constructor).</summary>
    string WorkerSideType { get; }

    /// <summary>Parent side: creates the connection of a worker about to start.</summary>
    IWorkerConnection Connect();

    /// <summary>Worker side: opens the connection the parent named, returning the stream to read frames from and the stream to write them to.</summary>
    (Stream Input, Stream Output) OpenInWorker(string name);
}

/// <summary>The parent's end of one worker's connection.</summary>
internal interface IWorkerConnection : IDisposable
{
    /// <summary>Gets the name the worker opens.</summary>
    string Name { get; }

    /// <summary>Gets the stream the parent reads the worker's frames from.</summary>
    Stream Input { get; }

    /// <summary>Gets the stream the parent writes frames to.</summary>
    Stream Output { get; }

    /// <summary>The worker has ended: wake the parent's reader, which then reads what is left and sees the end.</summary>
    void Close();
}
