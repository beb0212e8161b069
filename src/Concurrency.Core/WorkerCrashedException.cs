namespace Concurrency;

/// <summary>
/// The worker that ran an item died before the item finished: the process exited or was killed. Only
/// that item fails; the worker is replaced and the executor carries on.
/// </summary>
public class WorkerCrashedException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="WorkerCrashedException"/> class.</summary>
    public WorkerCrashedException()
        : this("The worker died while running the item.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WorkerCrashedException"/> class.</summary>
    /// <param name="message">The message.</param>
    public WorkerCrashedException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WorkerCrashedException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception that revealed the crash, if any.</param>
    public WorkerCrashedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WorkerCrashedException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="workerId">The <see cref="WorkContext.WorkerId"/> the item ran with.</param>
    /// <param name="exitCode">The worker's exit status as <see cref="System.Diagnostics.Process.ExitCode"/> reports it, if known.</param>
    public WorkerCrashedException(string message, int workerId, int? exitCode)
        : base(message)
    {
        WorkerId = workerId;
        ExitCode = exitCode;
    }

    /// <summary>Gets the <see cref="WorkContext.WorkerId"/> the item ran with.</summary>
    public int WorkerId { get; }

    /// <summary>
    /// Gets the worker's exit status as <see cref="System.Diagnostics.Process.ExitCode"/> reports it
    /// (on Unix, 128 + the signal number for a process killed by a signal), or <see langword="null"/> if unknown.
    /// </summary>
    public int? ExitCode { get; }
}
