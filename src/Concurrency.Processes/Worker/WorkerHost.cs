using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Concurrency.Processes.Internal;

namespace Concurrency.Processes.Worker;

/// <summary>
/// The worker side of the protocol: reads the parent's frames on one thread, runs batches on
/// <c>ThreadsPerWorker</c> threads of its own, and writes each batch's outcomes back.
/// </summary>
/// <remarks>
/// <code>
///  stdin ──▶ reader thread ──Batch──▶ ExecSlot[k] thread ──▶ runs items, publishes progress (shared map)
///              │  Cancel ──▶ cancels slot k's token            │ a Results frame per item, before the next one starts
///              │  EOF without Shutdown ──▶ _exit (parent gone)  ▼
///              └ DefineWorkload ──▶ TypeGate ──▶ runner        protocol stdout (one writer at a time)
/// </code>
/// The reader thread never writes and never blocks on a slot, so a Cancel frame or the parent's death is
/// seen at once, even while every slot runs CPU-bound code.
/// </remarks>
internal sealed class WorkerHost
{
    private static readonly long MemoryCheckTicks = Stopwatch.Frequency / 1000;

    private static readonly string DefaultSerializerName = TypeGate.NameOf(typeof(MessagePackWorkSerializer));

    private Stream _output;
    private FrameReader _reader;
    private readonly Lock _outputLock = new();
    private readonly ConcurrentDictionary<int, RunnerEntry> _runners = new();
    private readonly FrameBuffer _warmUpBuffer = new(1024);
    private ExecSlot[] _slots = [];
    private int _maxItems;
    private long _maxMemory;
    private int _itemsRun;
    private long _lastMemoryCheck;
    private volatile bool _retiring;

    public WorkerHost(Stream input, Stream output)
    {
        _output = output;
        _reader = new FrameReader(input);
    }

    /// <summary>Gets the host of this worker process, for tests that drive the protocol from a workload.</summary>
    internal static WorkerHost? Current { get; private set; }

    public int WorkerId { get; private set; }

    public IWorkSerializer Serializer { get; private set; } = null!;

    public ProgressRegion Progress { get; private set; } = null!;

    public bool Retiring => _retiring;

    public int Run()
    {
        Current = this;
        try
        {
            if (!Start())
            {
                return 0;
            }

            while (true)
            {
                if (!_reader.TryReadFrame(out var type, out var payload))
                {
                    // The parent's end closed without a Shutdown: it died (even kill -9 closes its pipes).
                    WorkerStdio.ExitNow(WorkerProgram.ParentGone);
                    return WorkerProgram.ParentGone;
                }

                var reader = new PayloadReader(payload, type);
                switch (type)
                {
                    case FrameType.DefineWorkload:
                        Define(ref reader);
                        break;
                    case FrameType.Batch:
                        var slot = SlotAt(reader.ReadInt32());
                        var seq = reader.ReadInt32();
                        if (_slots.Length == 1)
                        {
                            slot.RunInline(seq, payload);
                        }
                        else
                        {
                            slot.Post(seq, payload.Span);
                        }

                        break;
                    case FrameType.Cancel:
                        SlotAt(reader.ReadInt32()).Cancel(reader.ReadInt32());
                        break;
                    case FrameType.Shutdown:
                        // Foreground threads a workload may have started must not keep the worker alive.
                        Environment.Exit(0);
                        return 0;
                    default:
                        throw new InvalidDataException($"Malformed message: the parent sent a {type} frame, which only a worker sends.");
                }
            }
        }
        catch (InvalidDataException ex)
        {
            Fatal(ex.Message);
            return WorkerProgram.ProtocolError;
        }
        catch (IOException)
        {
            WorkerStdio.ExitNow(WorkerProgram.ParentGone);
            return WorkerProgram.ParentGone;
        }
    }

    /// <summary>Writes <paramref name="frames"/> to the parent, whole, one writer at a time.</summary>
    public void Send(ReadOnlySpan<byte> frames)
    {
        try
        {
            lock (_outputLock)
            {
                _output.Write(frames);
            }
        }
        catch (IOException)
        {
            WorkerStdio.ExitNow(WorkerProgram.ParentGone);
        }
    }

    /// <summary>Writes raw bytes to the protocol, for tests of the parent's handling of malformed messages.</summary>
    internal void WriteRawForTesting(ReadOnlySpan<byte> bytes) => Send(bytes);

    /// <summary>Counts a finished item and decides whether the worker has reached a recycling limit.</summary>
    public void ItemDone()
    {
        var run = Interlocked.Increment(ref _itemsRun);
        if (_maxItems > 0 && run >= _maxItems)
        {
            _retiring = true;
        }

        if (_maxMemory > 0)
        {
            var now = Stopwatch.GetTimestamp();
            if (now - Volatile.Read(ref _lastMemoryCheck) >= MemoryCheckTicks)
            {
                Volatile.Write(ref _lastMemoryCheck, now);
                if (Environment.WorkingSet > _maxMemory)
                {
                    _retiring = true;
                }
            }
        }
    }

    public bool TryGetRunner(int typeId, out WorkloadRunner? runner, out string? error)
    {
        if (_runners.TryGetValue(typeId, out var entry))
        {
            runner = entry.Runner;
            error = entry.Error;
            return runner is not null;
        }

        runner = null;
        error = $"The worker has no workload type with id {typeId}.";
        return false;
    }

    /// <summary>Reports the same outcome for every item of a batch (a batch the worker cannot run).</summary>
    public void ReportAll(ExecSlot slot, int seq, int count, ItemStatus status, string? message)
    {
        var frame = slot.BeginResults(seq, start: 0, count, ResultFlags.Finished | ResultFlags.HasStatuses | (_retiring ? ResultFlags.Retiring : 0), ticks: 0, executed: 0);
        for (var i = 0; i < count; i++)
        {
            frame.WriteByte((byte)status);
        }

        if (status is ItemStatus.InputNotDeserializable or ItemStatus.WorkloadRefused or ItemStatus.ResultNotSerializable)
        {
            for (var i = 0; i < count; i++)
            {
                frame.WriteString(message);
            }
        }

        frame.WriteInt32(0);
        frame.EndFrame();
        Send(frame.WrittenSpan);
    }

    private bool Start()
    {
        if (!_reader.TryReadFrame(out var type, out var payload))
        {
            WorkerStdio.ExitNow(WorkerProgram.ParentGone);
        }

        if (type != FrameType.Hello)
        {
            throw new InvalidDataException($"Malformed message: the first frame from the parent is {type}, not Hello.");
        }

        var hello = new PayloadReader(payload, type);
        var version = hello.ReadInt32();
        if (version != Protocol.Version)
        {
            throw new InvalidDataException($"Protocol version mismatch: the parent speaks version {version}, this worker {Protocol.Version}.");
        }

        WorkerId = hello.ReadInt32();
        var threads = hello.ReadInt32();
        var progressPath = hello.ReadRequiredString();
        var serializerName = hello.ReadRequiredString();
        var initializerName = hello.ReadString();
        _maxItems = hello.ReadInt32();
        _maxMemory = hello.ReadInt64();
        var transportName = hello.ReadString();
        var connectionName = hello.ReadString();
        if (threads is < 1 or > 4096)
        {
            throw new InvalidDataException($"Malformed message: {threads} threads per worker.");
        }

        Progress = ProgressRegion.Open(progressPath, threads);
        if (transportName is not null)
        {
            UseTransport(transportName, connectionName ?? throw new InvalidDataException("Malformed message: the Hello names a transport but no connection."));
        }

        try
        {
            // The default needs no type resolution (a few milliseconds of a cold start).
            Serializer = serializerName == DefaultSerializerName
                ? new MessagePackWorkSerializer()
                : (IWorkSerializer)Create(serializerName, typeof(IWorkSerializer));
        }
        catch (Exception ex) when (ex is not InvalidDataException)
        {
            SendStartFailed("serializer", Unwrap(ex));
            return false;
        }

        if (initializerName is not null)
        {
            try
            {
                var initializer = (IWorkerInitializer)Create(initializerName, typeof(IWorkerInitializer));
                initializer.Initialize(new WorkContext(WorkerId));
            }
#pragma warning disable CA1031 // Whatever the initializer throws is reported to the pool.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                SendStartFailed("initializer", Unwrap(ex));
                return false;
            }
        }

        _slots = new ExecSlot[threads];
        for (var i = 0; i < threads; i++)
        {
            _slots[i] = new ExecSlot(this, i, dedicatedThread: threads > 1);
        }

        StartWatchdog();

        var ready = new FrameBuffer(64);
        ready.BeginFrame(FrameType.Ready);
        ready.WriteInt32(Environment.ProcessId);
        ready.EndFrame();
        Send(ready.WrittenSpan);
        WarmUp(ready);
        return true;
    }

    /// <summary>
    /// Moves every frame after the Hello onto the transport the parent named (e.g. rings in shared memory). Only
    /// the library's own transports are accepted: an internal type of a Concurrency assembly implementing
    /// <see cref="IWorkerTransport"/>.
    /// </summary>
    private void UseTransport(string transportName, string connectionName)
    {
        var type = Type.GetType(transportName, throwOnError: false);
        if (type is null || !typeof(IWorkerTransport).IsAssignableFrom(type) || type.Assembly.GetName().Name?.StartsWith("Concurrency.", StringComparison.Ordinal) != true)
        {
            throw new InvalidDataException($"Malformed message: '{transportName}' is not a transport of this library.");
        }

        var transport = (IWorkerTransport)Activator.CreateInstance(type, nonPublic: true)!;
        var (input, output) = transport.OpenInWorker(connectionName);
        _reader = new FrameReader(input);
        _output = output;
    }

    /// <summary>
    /// Polls, on a thread of its own, for what the reader thread cannot see while it runs a batch: cancellation
    /// requests in the progress map. Fast while a batch runs, slow when idle. (The parent's death is watched from the
    /// worker's first instruction on: see <see cref="WorkerStdio.WatchParent"/>.)
    /// </summary>
    private void StartWatchdog()
    {
        var thread = new Thread(() =>
        {
            while (true)
            {
                var busy = false;
                foreach (var slot in _slots)
                {
                    busy |= slot.Running;
                    slot.PollCancel();
                }

                Thread.Sleep(busy ? 2 : 50);
            }
        })
        {
            IsBackground = true,
            Name = "Concurrency worker watchdog",
        };
        thread.Start();
    }

    /// <summary>
    /// Pays the serializer's first-use cost (MessagePack builds its resolvers) now, while the pool is still sending
    /// the first batch, instead of inside the first item's round trip. A serializer that fails here fails later too,
    /// where the failure is reported per item.
    /// </summary>
    private void WarmUp(FrameBuffer scratch)
    {
        try
        {
            scratch.Reset();
            Serializer.Serialize(scratch, 0);
            _ = Serializer.Deserialize<int>(scratch.WrittenMemory);
        }
#pragma warning disable CA1031 // Only a warm-up.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static object Create(string typeName, Type required)
    {
        var type = TypeGate.Resolve(typeName);
        if (TypeGate.CheckCreatable(type, required) is { } problem)
        {
            throw new TypeLoadException($"Type {type.FullName} was refused as {required.Name}: {problem}.");
        }

        return Activator.CreateInstance(type)!;
    }

    private static Exception Unwrap(Exception ex) => ex is TargetInvocationException { InnerException: { } inner } ? inner : ex;

    private void Define(ref PayloadReader reader)
    {
        var typeId = reader.ReadInt32();
        var workloadName = reader.ReadRequiredString();
        var inputName = reader.ReadRequiredString();
        var resultName = reader.ReadRequiredString();
        try
        {
            var workload = TypeGate.Resolve(workloadName);
            var input = TypeGate.Resolve(inputName);
            var result = TypeGate.Resolve(resultName);
            var contract = typeof(IWorkload<,>).MakeGenericType(input, result);
            if (TypeGate.CheckCreatable(workload, contract) is { } problem)
            {
                throw new TypeLoadException($"Workload type {workload.FullName} was refused: {problem}.");
            }

            var runner = (WorkloadRunner)Activator.CreateInstance(typeof(WorkloadRunner<,,>).MakeGenericType(workload, input, result), this)!;
            runner.WarmUp(_warmUpBuffer);
            _runners[typeId] = new RunnerEntry(runner, null);
        }
#pragma warning disable CA1031 // A type the worker refuses fails the items that use it, not the worker.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _runners[typeId] = new RunnerEntry(null, $"Worker {WorkerId} cannot load workload type '{workloadName}': {Unwrap(ex).Message}");
        }
    }

    private ExecSlot SlotAt(int index) =>
        (uint)index < (uint)_slots.Length ? _slots[index] : throw new InvalidDataException($"Malformed message: slot {index} of a worker with {_slots.Length}.");

    private void SendStartFailed(string stage, Exception ex)
    {
        var frame = new FrameBuffer(1024);
        frame.BeginFrame(FrameType.StartFailed);
        frame.WriteString(stage);
        frame.WriteString(ex.GetType().FullName);
        frame.WriteString(ex.Message);
        frame.WriteString(ex.StackTrace);
        frame.EndFrame();
        Send(frame.WrittenSpan);
    }

    internal void Fatal(string message)
    {
        Console.Error.WriteLine($"Concurrency worker {WorkerId}: {message}");
        Console.Error.Flush();
        WorkerStdio.ExitNow(WorkerProgram.ProtocolError);
    }

    private sealed record RunnerEntry(WorkloadRunner? Runner, string? Error);
}
