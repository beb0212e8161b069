using System.Diagnostics;

namespace Concurrency.Processes.Internal;

/// <summary>The states of a worker, as the pool sees them (changed under the pool's lock).</summary>
internal enum WorkerState
{
    Starting,
    Ready,

    /// <summary>Reached a recycling limit: takes nothing new, shut down when its slots are idle.</summary>
    Retiring,
    Dead,
}

/// <summary>Why the pool killed a worker; decides how its running item ends.</summary>
internal enum KillReason
{
    None,
    ItemTimeout,
    CancellationIgnored,
    Shutdown,
    ProtocolError,
    StartTimeout,
}

/// <summary>
/// The item a kill is for: batch <paramref name="Seq"/> of slot <paramref name="Slot"/>, at
/// <paramref name="Position"/> (-1: whichever item of that batch runs, e.g. for ignored cancellation). Settling
/// the worker's items checks it against what ran, so a kill decided for an item that finished in the meantime
/// never blames the next one.
/// </summary>
internal readonly record struct KillTarget(int Slot, int Seq, int Position)
{
    /// <summary>A kill for no item in particular (shutdown, protocol error, start timeout).</summary>
    public static KillTarget None { get; } = new(-1, 0, -1);

    /// <summary>Whether this kill was for item <paramref name="position"/> of batch <paramref name="seq"/> on slot <paramref name="slot"/>.</summary>
    public bool Names(int slot, int seq, int position) => Slot == slot && Seq == seq && (Position < 0 || Position == position);
}

/// <summary>One slot (thread) of a worker, and the batch it runs.</summary>
internal sealed class WorkerSlot(WorkerProcess worker, int index)
{
    public WorkerProcess Worker { get; } = worker;

    public int Index { get; } = index;

    /// <summary>Gets or sets the batch the slot runs, or <see langword="null"/> when idle (pool lock).</summary>
    public Assignment? Current { get; set; }

    /// <summary>Gets or sets the delivery token (<see cref="Assignment.DeliveryToken"/>) the supervisor last saw on this slot (supervisor thread only).</summary>
    public long SeenToken { get; set; } = -1;

    /// <summary>Gets or sets when the supervisor first saw <see cref="SeenToken"/>, in timestamps of the pool's <see cref="TimeProvider"/> (supervisor thread only).</summary>
    public long SeenAt { get; set; }
}

/// <summary>
/// The parent's handle on one worker process: its pipes, its progress region, its slots, and the thread
/// that reads its frames. The pool's logic lives in <see cref="ProcessPoolExecutor"/>; this class does I/O.
/// </summary>
[DebuggerDisplay("Worker {Id} ({State}), pid {Pid}")]
internal sealed class WorkerProcess
{
    private const int TailLines = 20;

    /// <summary>The stack of a reader thread: a margin, beyond the decoders' depth limits, for what runs on it (decoding results, completing items).</summary>
    private const int ReaderStackSize = 16 * 1024 * 1024;

    private readonly Lock _writeLock = new();
    private readonly FrameBuffer _writeBuffer = new();
    private readonly byte[] _smallFrame = new byte[Protocol.HeaderSize + 8];
    private readonly Dictionary<BatchCodec, int> _typeIds = [];
    private readonly Queue<string> _tail = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Stream _stdin;
    private readonly Stream _stdout;
    private Stream _output;
    private Stream _input;
    private FrameReader? _reader;
    private int _killReason;

    private WorkerProcess(int id, int threads, Process process, ProgressRegion progress)
    {
        Id = id;
        Process = process;
        Progress = progress;
        Pid = process.Id;
        _stdin = process.StandardInput.BaseStream;
        _stdout = process.StandardOutput.BaseStream;
        _output = _stdin;
        _input = _stdout;
        Slots = new WorkerSlot[threads];
        for (var i = 0; i < threads; i++)
        {
            Slots[i] = new WorkerSlot(this, i);
        }
    }

    public int Id { get; }

    public int Pid { get; }

    public Process Process { get; }

    public ProgressRegion Progress { get; }

    public WorkerSlot[] Slots { get; }

    /// <summary>Gets the connection frames travel on after the Hello, when the pool uses a transport other than the pipes.</summary>
    public IWorkerConnection? Connection { get; private set; }

    /// <summary>Gets or sets the state (pool lock).</summary>
    public WorkerState State { get; set; } = WorkerState.Starting;

    /// <summary>Gets or sets the next batch sequence number of this worker (pool lock).</summary>
    public int NextSeq { get; set; } = 1;

    /// <summary>Gets or sets when the worker was started, in <see cref="Stopwatch"/> ticks.</summary>
    public long StartedAt { get; set; }

    /// <summary>Gets a task that completes once the worker is ready, or fails with why it could not start.</summary>
    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets a task that completes when the reader thread has handled the worker's end.</summary>
    public Task Exited => _exited.Task;

    /// <summary>Gets the reason the pool killed the worker, if it did.</summary>
    public KillReason KillReason => (KillReason)Volatile.Read(ref _killReason);

    /// <summary>Gets the item the kill was for (timeout, ignored cancellation), or <see cref="KillTarget.None"/>.</summary>
    public KillTarget KillTarget { get; private set; } = KillTarget.None;

    /// <summary>Gets or sets the message of a protocol error.</summary>
    public string? ProtocolErrorMessage { get; set; }

    /// <summary>Gets what the reader had of the frame the worker was writing when its output ended, if it ended mid-frame.</summary>
    public string? DiedMidMessage { get; private set; }

    /// <summary>Kills the worker for a message that stopped arriving half-way.</summary>
    public void KillStalled(TimeSpan stalled)
    {
        var howLong = stalled >= TimeSpan.FromSeconds(1)
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{stalled.TotalSeconds:0.#} s")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{stalled.TotalMilliseconds:0} ms");
        ProtocolErrorMessage ??= $"Truncated message: no byte of a started frame arrived for {howLong}.";
        Kill(KillReason.ProtocolError);
    }

    /// <summary>Gets or sets the start failure reported by the worker (initializer or serializer).</summary>
    public Exception? StartFailure { get; set; }

    /// <summary>Starts a worker process and sends it its Hello. Returns once the process runs; readiness comes later.</summary>
    public static WorkerProcess Start(
        int id,
        WorkerLaunch launch,
        int threads,
        string serializerType,
        string? initializerType,
        int maxItems,
        long maxMemory,
        IWorkerTransport? transport,
        Action<WorkerProcess, string> onOutput)
    {
        var progress = ProgressRegion.Create(threads);
        Process? process = null;
        IWorkerConnection? connection = null;
        try
        {
            connection = transport?.Connect();
            var info = new ProcessStartInfo(launch.Host)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                CreateNoWindow = true,
            };
            foreach (var argument in launch.Arguments())
            {
                info.ArgumentList.Add(argument);
            }

            info.Environment[Worker.WorkerStdio.ParentVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);

            process = Process.Start(info) ?? throw new InvalidOperationException($"Starting worker {id} ({launch.Host}) returned no process.");
            var worker = new WorkerProcess(id, threads, process, progress) { StartedAt = Stopwatch.GetTimestamp() };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    worker.AddTail(line);
                    onOutput(worker, line);
                }
            };
            process.BeginErrorReadLine();

            var hello = worker._writeBuffer;
            hello.Reset();
            hello.BeginFrame(FrameType.Hello);
            hello.WriteInt32(Protocol.Version);
            hello.WriteInt32(id);
            hello.WriteInt32(threads);
            hello.WriteString(progress.Path);
            hello.WriteString(serializerType);
            hello.WriteString(initializerType);
            hello.WriteInt32(maxItems);
            hello.WriteInt64(maxMemory);
            hello.WriteString(transport?.WorkerSideType);
            hello.WriteString(connection?.Name);
            hello.EndFrame();
            worker.TryWrite(hello.WrittenSpan);
            if (connection is not null)
            {
                worker.UseConnection(connection);
            }

            return worker;
        }
        catch
        {
            connection?.Dispose();
            progress.Dispose();
            if (process is not null)
            {
                TryKill(process);
                process.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Starts the thread that reads the worker's frames and calls <paramref name="onFrame"/>, then <paramref name="onEnd"/> once.
    /// </summary>
    /// <remarks>
    /// This is the one place that enforces the rule that nothing a worker sends can end the parent. The stream
    /// ending (end of file, <see cref="IOException"/>, <see cref="ObjectDisposedException"/> from a read: the
    /// worker died or the pool closed its end) ends the worker's life as usual. Any other exception out of reading
    /// or handling a frame — an <see cref="InvalidDataException"/> from the decoders, or anything else, which then is
    /// a decoder's bug that the worker's bytes reached — is a protocol violation by that worker: it is killed
    /// (<see cref="KillReason.ProtocolError"/>), its items fail with a message naming the cause, and the pool
    /// replaces it. A stack overflow cannot be caught: decoders bound the depth they recurse to instead
    /// (<see cref="MessagePackWorkSerializer.MaxDepth"/>), and the thread has a large stack as a further margin.
    /// </remarks>
    public void StartReader(Action<WorkerProcess, FrameType, ReadOnlyMemory<byte>> onFrame, Action<WorkerProcess, Exception?> onEnd)
    {
        var thread = new Thread(
            () =>
            {
                var error = ReadFrames(onFrame);
                try
                {
                    onEnd(this, error);
                }
                finally
                {
                    _exited.TrySetResult();
                }
            },
            ReaderStackSize)
        {
            IsBackground = true,
            Name = $"Concurrency worker {Id} reader",
        };
        thread.Start();
    }

    /// <summary>Reads and handles frames until the worker's output ends or breaks the protocol; returns why it stopped (<see langword="null"/>: a clean end).</summary>
    private Exception? ReadFrames(Action<WorkerProcess, FrameType, ReadOnlyMemory<byte>> onFrame)
    {
        FrameType? handling = null;
        try
        {
            var reader = _reader = new FrameReader(_input);
            while (reader.TryReadFrame(out var type, out var payload))
            {
                handling = type;
                onFrame(this, type, payload);
                handling = null;
            }

            return null;
        }
        catch (InvalidDataException ex) when (handling is null && _reader?.EndedMidFrame == true)
        {
            // The worker's end closed half-way through a frame: it died while it wrote (or closed its output, and
            // is made to die now). Not a protocol error of ours: the crash is reported with its exit code.
            DiedMidMessage = ex.Message;
            TryKill(Process);
            return ex;
        }
        catch (Exception ex) when (handling is null && ex is IOException or ObjectDisposedException)
        {
            return ex;
        }
#pragma warning disable CA1031 // Total by design: whatever the worker's bytes cause is that worker's protocol violation, never the parent's end.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            ProtocolErrorMessage ??= DescribeViolation(ex, handling);
            Kill(KillReason.ProtocolError);
            return ex;
        }
    }

    /// <summary>The message a protocol violation reports: a decoder's own message, or the unexpected exception's type and message.</summary>
    private static string DescribeViolation(Exception ex, FrameType? handling) =>
        ex is InvalidDataException
            ? ex.Message
            : $"Malformed message: {(handling is { } type ? $"handling a {type} frame" : "reading a frame")} threw {ex.GetType().FullName}: {ex.Message}";

    /// <summary>
    /// Moves the frames after the Hello onto <paramref name="connection"/>. The worker's stdout pipe stays open and
    /// silent until the worker ends; its end-of-file is how the pool learns that the worker died, so a thread waits
    /// for it and then closes the connection, which wakes the reader.
    /// </summary>
    private void UseConnection(IWorkerConnection connection)
    {
        Connection = connection;
        _input = connection.Input;
        _output = connection.Output;
        var watcher = new Thread(() =>
        {
            var buffer = new byte[256];
            try
            {
                while (_stdout.Read(buffer) > 0)
                {
                    // A worker writes nothing here once it uses the connection; ignore stray bytes.
                }
            }
            catch (IOException)
            {
            }
            catch (ObjectDisposedException)
            {
            }

            connection.Close();
        })
        {
            IsBackground = true,
            Name = $"Concurrency worker {Id} exit watcher",
        };
        watcher.Start();
    }

    /// <summary>Gets when the reader last received part of a frame it is still waiting for, in Stopwatch ticks; 0 between frames.</summary>
    public long InsideFrameSince => _reader?.InsideFrameSince ?? 0;

    /// <summary>Sends the definitions of workload types the pool already uses, so that a new worker loads them (and warms their serializers) before its first batch.</summary>
    public void Predefine(IReadOnlyList<BatchCodec> codecs)
    {
        if (codecs.Count == 0)
        {
            return;
        }

        lock (_writeLock)
        {
            var frame = _writeBuffer;
            frame.Reset();
            foreach (var codec in codecs)
            {
                if (!_typeIds.ContainsKey(codec))
                {
                    WriteDefinition(frame, codec);
                }
            }

            if (frame.Position > 0)
            {
                TryWrite(frame.WrittenSpan);
            }
        }
    }

    /// <summary>Encodes and sends a batch (with its workload's definition the first time). Returns the number of items sent.</summary>
    public int SendBatch(Assignment assignment, IWorkSerializer serializer, Concurrency.Telemetry.ExecutorTelemetry telemetry)
    {
        lock (_writeLock)
        {
            var frame = _writeBuffer;
            frame.Reset();
            var codec = assignment.Codec;
            if (!_typeIds.TryGetValue(codec, out var typeId))
            {
                typeId = WriteDefinition(frame, codec);
            }

            var batchStart = frame.Position;
            frame.BeginFrame(FrameType.Batch);
            frame.WriteInt32(assignment.Slot);
            frame.WriteInt32(assignment.Seq);
            frame.WriteInt32(typeId);
            var sent = codec.WriteBatch(assignment, frame, serializer, telemetry);
            if (sent == 0)
            {
                frame.Position = batchStart;
            }
            else
            {
                frame.EndFrame();
            }

            if (frame.Position > 0)
            {
                TryWrite(frame.WrittenSpan);
            }

            return sent;
        }
    }

    /// <summary>Writes raw bytes to the worker, for protocol tests.</summary>
    internal void SendRawForTesting(ReadOnlySpan<byte> bytes)
    {
        lock (_writeLock)
        {
            TryWrite(bytes);
        }
    }

    /// <summary>Asks the worker to cancel a batch: in the progress map (seen by its watchdog even while its reader runs the batch) and with a Cancel frame.</summary>
    public void SendCancel(int slot, int seq)
    {
        Progress.RequestCancel(slot, seq);
        SendSmall(FrameType.Cancel, slot, seq);
    }

    /// <summary>Assigns <paramref name="codec"/> the next type id and writes its DefineWorkload frame (write lock held).</summary>
    private int WriteDefinition(FrameBuffer frame, BatchCodec codec)
    {
        var typeId = _typeIds.Count + 1;
        _typeIds.Add(codec, typeId);
        frame.BeginFrame(FrameType.DefineWorkload);
        frame.WriteInt32(typeId);
        frame.WriteString(TypeGate.NameOf(codec.WorkloadType));
        frame.WriteString(TypeGate.NameOf(codec.InputType));
        frame.WriteString(TypeGate.NameOf(codec.ResultType));
        frame.EndFrame();
        return typeId;
    }

    public void SendShutdown() => SendSmall(FrameType.Shutdown, null, null);

    /// <summary>Kills the worker (and anything it started) for <paramref name="reason"/>, naming the item it is for; the first reason wins.</summary>
    public void Kill(KillReason reason, KillTarget? target = null)
    {
        if (Interlocked.CompareExchange(ref _killReason, (int)reason, (int)KillReason.None) == (int)KillReason.None)
        {
            KillTarget = target ?? KillTarget.None;
        }

        TryKill(Process);
    }

    /// <summary>Waits for the process to exit and returns its exit code, killing it if it lingers.</summary>
    public int? WaitForExitCode(TimeSpan timeout)
    {
        try
        {
            if (!Process.WaitForExit(timeout))
            {
                TryKill(Process);
                if (!Process.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    return null;
                }
            }

            return Process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Gets the last lines the worker wrote to stderr.</summary>
    public string Tail()
    {
        lock (_tail)
        {
            return string.Join(Environment.NewLine, _tail);
        }
    }

    private void AddTail(string line)
    {
        lock (_tail)
        {
            if (_tail.Count == TailLines)
            {
                _tail.Dequeue();
            }

            _tail.Enqueue(line);
        }
    }

    private void SendSmall(FrameType type, int? slot, int? seq)
    {
        lock (_writeLock)
        {
            var length = slot is null ? 0 : 8;
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(_smallFrame, length);
            _smallFrame[4] = (byte)type;
            if (slot is { } s)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(_smallFrame.AsSpan(5), s);
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(_smallFrame.AsSpan(9), seq!.Value);
            }

            TryWrite(_smallFrame.AsSpan(0, Protocol.HeaderSize + length));
        }
    }

    /// <summary>Writes to the worker; a dead worker is noticed by the reader thread, so a failed write is ignored here.</summary>
    private void TryWrite(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _output.Write(bytes);
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
        catch (NotSupportedException)
        {
        }
    }
}
