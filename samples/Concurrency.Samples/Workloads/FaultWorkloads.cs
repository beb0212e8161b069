namespace Concurrency.Samples.Workloads;

/// <summary>
/// A workload that kills the process running it on one item, as a crash in native code would
/// (<see cref="Environment.FailFast(string)"/>: no exception, no finally, the process is gone).
/// </summary>
/// <remarks>
/// It only crashes in a process other than <see cref="OwnerProcessId"/>, the sample's own: run on a thread of
/// the sample by mistake, it throws instead of taking the sample down.
/// </remarks>
public sealed class CrashingWorkload : IWorkload<int, int>
{
    /// <summary>Gets or sets the input on which the process is killed.</summary>
    public int CrashOn { get; set; } = 1;

    /// <summary>Gets or sets the id of the process that must never be killed (the sample's).</summary>
    public int OwnerProcessId { get; set; }

    /// <inheritdoc/>
    public int Execute(int input, WorkContext context)
    {
        if (input == CrashOn)
        {
            if (Environment.ProcessId == OwnerProcessId)
            {
                throw new InvalidOperationException("CrashingWorkload refused to kill the sample's own process.");
            }

            Environment.FailFast($"CrashingWorkload: simulated crash on item {input}.");
        }

        return input * 2;
    }
}

/// <summary>A workload whose one item spins forever and never looks at its cancellation token, as a runaway loop would.</summary>
/// <remarks>In the sample's own process (<see cref="OwnerProcessId"/>) it gives up after a few seconds instead.</remarks>
public sealed class HangingWorkload : IWorkload<int, int>
{
    /// <summary>Gets or sets the input that hangs.</summary>
    public int HangOn { get; set; }

    /// <summary>Gets or sets the id of the process in which the item must not hang for ever (the sample's).</summary>
    public int OwnerProcessId { get; set; }

    /// <inheritdoc/>
    public int Execute(int input, WorkContext context)
    {
        if (input == HangOn)
        {
            var limit = Environment.ProcessId == OwnerProcessId ? TimeSpan.FromSeconds(5) : TimeSpan.MaxValue;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < limit)
            {
                Thread.SpinWait(1000); // Deliberately ignores context.CancellationToken.
            }
        }

        return input;
    }
}
