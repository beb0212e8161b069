using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Concurrency.Processes.Worker;

namespace Concurrency.Processes.Tests;

// Workloads used by the tests. They run in worker processes, so they are public classes of this assembly.

public sealed class AddOne : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context) => input + 1;
}

public sealed class Multiply : IWorkload<int, long>
{
    public long Factor { get; set; } = 1;

    public long Execute(int input, WorkContext context) => input * Factor;
}

public sealed class Nothing : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context) => 0;
}

public sealed record Point(double X, double Y);

public sealed record Shape(string Name, List<Point> Points, Dictionary<string, int> Tags, (int A, string B) Pair, double[] Samples);

public sealed class Centroid : IWorkload<Shape, (Point Center, string Name, int Tags, double Sum)>
{
    public (Point Center, string Name, int Tags, double Sum) Execute(Shape input, WorkContext context) =>
        (new Point(input.Points.Average(p => p.X), input.Points.Average(p => p.Y)), input.Name, input.Tags.Values.Sum(), input.Samples.Sum());
}

public sealed class Reverse : IWorkload<double[], double[]>
{
    public double[] Execute(double[] input, WorkContext context) => [.. input.Reverse()];
}

public sealed class Throws : IWorkload<string, int>
{
    public int Execute(string input, WorkContext context) => input == "ok" ? 1 : throw new ArgumentException($"bad input {input}");
}

/// <summary>Returns the worker id and process id the item ran with.</summary>
public sealed class WhereAmI : IWorkload<int, (int WorkerId, int Pid)>
{
    public (int WorkerId, int Pid) Execute(int input, WorkContext context) => (context.WorkerId, Environment.ProcessId);
}

public enum CrashMode
{
    None,
    FailFast,
    StackOverflow,
    Exit0,
    Exit42,
    Segfault,
    KillSelf,
    UnhandledThreadException,

    /// <summary>Stops the whole worker process (SIGSTOP): it neither runs nor reads until it is continued or killed.</summary>
    StopSelf,
}

/// <summary>Ends its worker in the way its input names; returns the worker id otherwise.</summary>
public sealed partial class Crash : IWorkload<CrashMode, int>
{
    public int Execute(CrashMode input, WorkContext context)
    {
        switch (input)
        {
            case CrashMode.FailFast:
                Environment.FailFast("Crash workload: FailFast");
                break;
            case CrashMode.StackOverflow:
                Recurse(0);
                break;
            case CrashMode.Exit0:
                Environment.Exit(0);
                break;
            case CrashMode.Exit42:
                Environment.Exit(42);
                break;
            case CrashMode.Segfault:
                // A fault inside native code (libc reading address 0): the runtime cannot turn it into an exception.
                _ = StrLen(IntPtr.Zero);
                break;
            case CrashMode.KillSelf:
                _ = Kill(Environment.ProcessId, 9);
                Thread.Sleep(Timeout.Infinite);
                break;
            case CrashMode.StopSelf:
                _ = Kill(Environment.ProcessId, 19);
                Thread.Sleep(Timeout.Infinite);
                break;
            case CrashMode.UnhandledThreadException:
                var thread = new Thread(() => throw new InvalidOperationException("Crash workload: unhandled on a thread"));
                thread.Start();
                thread.Join();
                Thread.Sleep(Timeout.Infinite);
                break;
        }

        return context.WorkerId;
    }

    private static int Recurse(int depth)
    {
        Span<byte> frame = stackalloc byte[1024];
        frame[0] = (byte)depth;
        return Recurse(depth + 1) + frame[0];
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "strlen")]
    private static partial nint StrLen(IntPtr text);
}

/// <summary>Input: (value, crash). Crashes its worker when told to; else returns value * 2.</summary>
public sealed partial class MaybeCrash : IWorkload<(int Value, CrashMode Mode), int>
{
    public int Execute((int Value, CrashMode Mode) input, WorkContext context)
    {
        if (input.Mode != CrashMode.None)
        {
            new Crash().Execute(input.Mode, context);
        }

        return input.Value * 2;
    }
}

/// <summary>Reports the worker id, then spins until its token is cancelled (cooperative).</summary>
public sealed class SpinUntilCancelled : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context)
    {
        while (true)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            Thread.SpinWait(1000);
        }
    }
}

/// <summary>Spins for ever and never looks at its token: only killing the process stops it.</summary>
public sealed class SpinForever : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context)
    {
        var x = 0;
        while (true)
        {
            x++;
            Thread.SpinWait(1000);
        }
    }
}

/// <summary>Sleeps input milliseconds, returns the worker id.</summary>
public sealed class SleepFor : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context)
    {
        Thread.Sleep(input);
        return context.WorkerId;
    }
}

/// <summary>Waits (at most 60 s) until the file named by the input exists: a signal from the test, whatever process runs the item.</summary>
public sealed class WaitForFile : IWorkload<string, int>
{
    public int Execute(string input, WorkContext context)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(input))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{input} never appeared.");
            }

            Thread.Sleep(1);
        }

        return 1;
    }
}

/// <summary>Waits at a process-wide barrier of two: returns true only if another item of the same worker runs at the same time.</summary>
public sealed class Rendezvous : IWorkload<int, (bool Met, int Pid)>
{
    private static readonly Barrier Barrier = new(2);

    public (bool Met, int Pid) Execute(int input, WorkContext context) => (Barrier.SignalAndWait(TimeSpan.FromSeconds(20)), Environment.ProcessId);
}

/// <summary>Holds input megabytes for the life of its worker; returns the worker id.</summary>
public sealed class Hog : IWorkload<int, int>
{
    private static readonly ConcurrentBag<byte[]> Held = [];

    public int Execute(int input, WorkContext context)
    {
        var block = new byte[input * 1024 * 1024];
        Array.Fill(block, (byte)1);
        Held.Add(block);
        return context.WorkerId;
    }
}

/// <summary>Writes to stdout and stderr (managed and native), then returns.</summary>
public sealed partial class Chatty : IWorkload<string, int>
{
    public int Execute(string input, WorkContext context)
    {
        Console.WriteLine($"stdout says {input}");
        Console.Error.WriteLine($"stderr says {input}");
        var bytes = System.Text.Encoding.UTF8.GetBytes($"native fd 1 says {input}\n");
        _ = Write(1, bytes, bytes.Length);
        return input.Length;
    }

    [LibraryImport("libc", EntryPoint = "write")]
    private static partial nint Write(int fd, byte[] buffer, nint count);
}

/// <summary>Writes raw bytes on the protocol from inside the worker, to test how the pool handles malformed messages.</summary>
public sealed class CorruptProtocol : IWorkload<byte[], int>
{
    public int Execute(byte[] input, WorkContext context)
    {
        WorkerHost.Current!.WriteRawForTesting(input);
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}

/// <summary>An input that cannot be serialized when its <see cref="Callback"/> holds a delegate.</summary>
public sealed class WithDelegate
{
    public object? Callback { get; set; }
}

/// <summary>Reports the runtime type the worker sees in an object-typed member.</summary>
public sealed class TypeOfMember : IWorkload<WithDelegate, string>
{
    public string Execute(WithDelegate input, WorkContext context) => input.Callback?.GetType().FullName ?? "null";
}

public sealed class TakesDelegate : IWorkload<WithDelegate, int>
{
    public int Execute(WithDelegate input, WorkContext context) => 1;
}

/// <summary>Returns a result that cannot be serialized when the input is odd.</summary>
public sealed class ReturnsDelegate : IWorkload<int, WithDelegate>
{
    public WithDelegate Execute(int input, WorkContext context) => input % 2 == 0 ? new WithDelegate() : new WithDelegate { Callback = new Func<int>(() => input) };
}

/// <summary>A workload the worker cannot load: not public.</summary>
internal sealed class InternalWorkload : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context) => input;
}

/// <summary>A workload without a parameterless constructor.</summary>
public sealed class NeedsArgument(int offset) : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context) => input + offset;
}

public sealed class ThrowingInitializer : IWorkerInitializer
{
    public void Initialize(WorkContext context) => throw new InvalidOperationException("the model file is missing");
}

public sealed class MarkingInitializer : IWorkerInitializer
{
    public static int InitializedWorker { get; private set; } = -1;

    public void Initialize(WorkContext context) => InitializedWorker = context.WorkerId;
}

/// <summary>Returns the worker id its initializer saw.</summary>
public sealed class ReadInitializer : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context) => MarkingInitializer.InitializedWorker;
}

/// <summary>Sleeps input milliseconds; returns when it started and ended (Stopwatch ticks: one monotonic clock for every process on Linux).</summary>
public sealed class TimedSleep : IWorkload<int, (long Start, long End)>
{
    public (long Start, long End) Execute(int input, WorkContext context)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        Thread.Sleep(input);
        return (start, System.Diagnostics.Stopwatch.GetTimestamp());
    }
}

/// <summary>
/// Input: (value, written, announced). When <c>Written</c> is not 0, starts a Results frame that announces a payload of
/// <c>Announced</c> bytes, writes its header and part of the payload on the protocol, and kills its own process with
/// SIGKILL before the frame is complete: a worker killed while writing a result. With <c>Written</c> positive, the kill
/// follows a write of that many payload bytes; with -1, another thread kills the process while this one keeps writing
/// (it never completes the frame, however late the kill). Otherwise returns the value doubled and the worker id.
/// </summary>
public sealed partial class DieWhileWritingResults : IWorkload<(int Value, int Written, int Announced), (int Doubled, int WorkerId)>
{
    /// <summary>The payload bytes written before the killer thread starts, when writing until killed.</summary>
    public const int Chunk = 64 * 1024;

    public (int Doubled, int WorkerId) Execute((int Value, int Written, int Announced) input, WorkContext context)
    {
        if (input.Written == 0)
        {
            return (input.Value * 2, context.WorkerId);
        }

        var host = WorkerHost.Current!;
        var header = new byte[5];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header, input.Announced);
        header[4] = 12; // FrameType.Results
        if (input.Written > 0)
        {
            host.WriteRawForTesting([.. header, .. Pattern(input.Written)]);
            new Crash().Execute(CrashMode.KillSelf, context);
        }

        // The first chunk is out before the killer starts. Each further write is larger than a ring (or a pipe), so the
        // writer waits for the pool to read: the killer strikes when it sees the writing thread asleep (waiting for room,
        // or, if the pool read fast enough, in the final sleep: never in a complete frame).
        var more = Pattern(4 * 1024 * 1024);
        host.WriteRawForTesting([.. header, .. Pattern(Chunk)]);
        var writer = GetThreadId();
        new Thread(() =>
        {
            while (!IsAsleep(writer))
            {
                Thread.Sleep(1);
            }

            new Crash().Execute(CrashMode.KillSelf, context);
        })
        { IsBackground = true }.Start();
        for (var sent = Chunk; sent + more.Length < input.Announced; sent += more.Length)
        {
            host.WriteRawForTesting(more);
        }

        Thread.Sleep(Timeout.Infinite);
        return default;
    }

    /// <summary>Whether the thread is in an interruptible sleep (state S in /proc/self/task/tid/stat).</summary>
    private static bool IsAsleep(int tid)
    {
        var stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
        return stat[stat.LastIndexOf(')') + 2] == 'S';
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    private static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)i;
        }

        return bytes;
    }
}

/// <summary>Returns input bytes: a large result, to move a transport's write position.</summary>
public sealed class Ballast : IWorkload<int, byte[]>
{
    public byte[] Execute(int input, WorkContext context) => new byte[input];
}

/// <summary>What <see cref="RecordRuns"/> returns.</summary>
public enum ResultMode
{
    /// <summary>A plain node.</summary>
    Plain,

    /// <summary>A node whose Next is itself: serializing it never ends.</summary>
    Cycle,

    /// <summary>A node whose serialization ends the worker (exit code 42), after Execute has returned.</summary>
    ExitWhileSerialized,
}

/// <summary>A result of <see cref="RecordRuns"/>.</summary>
public sealed class RunNode
{
    public int Value { get; set; }

    public RunNode? Next { get; set; }

    public ExitOnRead? Trap { get; set; }
}

/// <summary>Ends the process (exit code 42) when its value is read, as a serializer reads it.</summary>
public sealed class ExitOnRead
{
    public int Value
    {
        get
        {
            Environment.Exit(42);
            return 0;
        }

        set
        {
        }
    }
}

/// <summary>Input: (directory, value, mode). Records each run as a new file in the directory, then returns a node of the value, shaped by the mode.</summary>
public sealed class RecordRuns : IWorkload<(string Dir, int Value, ResultMode Mode), RunNode>
{
    /// <summary>Counts the runs of items 0..<paramref name="count"/>-1 recorded in <paramref name="dir"/>.</summary>
    public static int[] RunsPerItem(string dir, int count) =>
        [.. Enumerable.Range(0, count).Select(i => Directory.GetFiles(dir, $"{i}.*").Length)];

    public RunNode Execute((string Dir, int Value, ResultMode Mode) input, WorkContext context)
    {
        File.WriteAllText(Path.Combine(input.Dir, $"{input.Value}.{Guid.NewGuid():N}"), string.Empty);
        var node = new RunNode { Value = input.Value };
        switch (input.Mode)
        {
            case ResultMode.Cycle:
                node.Next = node;
                break;
            case ResultMode.ExitWhileSerialized:
                node.Trap = new ExitOnRead();
                break;
        }

        return node;
    }
}

/// <summary>Sends a Results frame that finishes its batch without an outcome for any item, then sleeps for ever: a worker that lies.</summary>
public sealed class FinishWithoutOutcomes : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context)
    {
        var host = WorkerHost.Current!;
        var (seq, _, _) = host.Progress.Read(0);
        var frame = new byte[5 + 33];
        var span = frame.AsSpan();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span, 33);
        span[4] = 12; // FrameType.Results
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span[5..], 0); // slot
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span[9..], seq);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span[13..], 0); // start
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span[17..], 0); // count
        span[21] = 1; // ResultFlags.Finished; then ticks, executed and an empty results block, all 0
        host.WriteRawForTesting(frame);
        Thread.Sleep(Timeout.Infinite);
        return input;
    }
}

/// <summary>An input whose deserialization throws in a worker (its setter refuses there), not in the pool.</summary>
public sealed class RefusedInWorker
{
    private int _value;

    public int Value
    {
        get => _value;
        set => _value = WorkerHost.Current is null ? value : throw new FormatException($"RefusedInWorker does not take {value} in a worker.");
    }
}

/// <summary>Returns the value of a <see cref="RefusedInWorker"/> (never reached: its input cannot be read in a worker).</summary>
public sealed class TakesRefused : IWorkload<RefusedInWorker, int>
{
    public int Execute(RefusedInWorker input, WorkContext context) => input.Value;
}
