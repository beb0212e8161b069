namespace Concurrency.Conformance.Tests;

// Workloads of the conformance suite. They are public, with public parameterless constructors and
// serializable inputs, so that every executor — including those that run items in other processes — can
// run them. Cross-process coordination uses files in a per-test directory (FileSignals).

/// <summary>x → x² as a long.</summary>
public sealed class SquareWorkload : IWorkload<int, long>
{
    public long Execute(int input, WorkContext context) => (long)input * input;
}

/// <summary>x → x + 1: the tiny item.</summary>
public sealed class IncrementWorkload : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context) => input + 1;
}

public sealed record Point(int X, int Y, string Label);

/// <summary>Records and strings in, records out; its own state (Offset) travels with it.</summary>
public sealed class ShiftPointWorkload : IWorkload<Point, Point>
{
    public int Offset { get; set; }

    public Point Execute(Point input, WorkContext context) => input with { X = input.X + Offset, Y = input.Y + Offset, Label = input.Label.ToUpperInvariant() };
}

/// <summary>Throws ArgumentException for the input equal to FailOn; otherwise returns the input.</summary>
public sealed class ThrowingWorkload : IWorkload<int, int>
{
    public int FailOn { get; set; }

    public int Execute(int input, WorkContext context)
    {
        if (input == FailOn)
        {
            ThrowFor(input);
        }

        return input;
    }

    // A frame of its own, so tests can find the workload's frames in the remote stack trace.
    private static void ThrowFor(int input) => throw new ArgumentException($"input {input} is not acceptable");
}

/// <summary>Returns the WorkerId the item ran with.</summary>
public sealed class WorkerIdWorkload : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context) => context.WorkerId;
}

/// <summary>Runs <see cref="ConcurrencyProbeWorkload"/>'s rendezvous, then returns the id of the worker it ran on.</summary>
public sealed class RendezvousWorkerIdWorkload : IWorkload<ConcurrencyProbeInput, int>
{
    public int Execute(ConcurrencyProbeInput input, WorkContext context)
    {
        new ConcurrencyProbeWorkload().Execute(input, context);
        return context.WorkerId;
    }
}

public sealed record SignalInput(string Directory, int Id, bool Block);

/// <summary>
/// Marks "started-{Id}" in the directory; when Block, waits until the file "release" appears or the token is
/// cancelled (then marks "cancelled-{Id}" and throws OperationCanceledException); returns Id.
/// </summary>
public sealed class SignalWorkload : IWorkload<SignalInput, int>
{
    public int Execute(SignalInput input, WorkContext context)
    {
        FileSignals.Mark(input.Directory, $"started-{input.Id}");
        if (input.Block)
        {
            while (!FileSignals.IsMarked(input.Directory, "release"))
            {
                if (context.CancellationToken.WaitHandle.WaitOne(2))
                {
                    FileSignals.Mark(input.Directory, $"cancelled-{input.Id}");
                    context.CancellationToken.ThrowIfCancellationRequested();
                }
            }
        }

        return input.Id;
    }
}

public sealed record ConcurrencyProbeInput(string Directory, int Id, int HoldMilliseconds, int Rendezvous);

/// <summary>
/// Registers itself as running (a file), waits until <see cref="ConcurrencyProbeInput.Rendezvous"/> items have arrived
/// (a second file, never deleted), counts the running items, holds for a while so that an item running beyond the bound
/// would be seen, and unregisters. Returns the most items it saw running, itself included.
/// </summary>
/// <remarks>
/// The rendezvous makes the tests independent of how fast workers start: the first items wait for each other, so they
/// overlap however late the second worker comes up, and of two items that overlap at least one sees the other's running
/// file (each counts before it deletes its own). Later items find the arrivals there and do not wait.
/// </remarks>
public sealed class ConcurrencyProbeWorkload : IWorkload<ConcurrencyProbeInput, int>
{
    private static readonly TimeSpan RendezvousTimeout = TimeSpan.FromSeconds(60);

    public int Execute(ConcurrencyProbeInput input, WorkContext context)
    {
        var mine = Path.Combine(input.Directory, $"running-{input.Id}");
        File.WriteAllBytes(mine, []);
        try
        {
            FileSignals.Mark(input.Directory, $"arrived-{input.Id}");
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (FileSignals.Count(input.Directory, "arrived-") < input.Rendezvous)
            {
                if (waited.Elapsed > RendezvousTimeout)
                {
                    throw new TimeoutException($"Item {input.Id} waited {RendezvousTimeout} for {input.Rendezvous} items to run at once.");
                }

                Thread.Sleep(1);
            }

            var seen = FileSignals.Count(input.Directory, "running-");
            Thread.Sleep(input.HoldMilliseconds);
            return Math.Max(seen, FileSignals.Count(input.Directory, "running-"));
        }
        finally
        {
            File.Delete(mine);
        }
    }
}
