using Concurrency.Processes.Internal;

namespace Concurrency.Processes.Worker;

/// <summary>
/// One slot of a worker, running one batch at a time; the parent addresses it by index. With one slot per
/// worker, the reader thread runs the batch itself (no thread hand-off on the round trip); with more, each
/// slot has a thread of its own, fed by the reader.
/// </summary>
/// <remarks>Lives as long as the worker process: its event and token sources are never disposed.</remarks>
#pragma warning disable CA1001 // Process-lifetime object.
internal sealed class ExecSlot
#pragma warning restore CA1001
{
    private readonly WorkerHost _host;
    private readonly ManualResetEventSlim? _signal;
    private readonly Lock _lock = new();
    private byte[] _payload = [];
    private int _length;
    private int _seq;
    private volatile bool _running;
    private CancellationTokenSource _cts = new();
    private int _cachedTypeId = -1;
    private byte[] _cachedState = [];
    private object? _cachedWorkload;
    private byte[] _statuses = new byte[256];

    /// <summary>
    /// The stack of a slot's thread, as large as the main thread's: results are serialized on it, and the serializer's
    /// guard against reference cycles lets thousands of formatters nest before it stops (see DepthLimitedResolver).
    /// </summary>
    private const int StackSize = 8 * 1024 * 1024;

    public ExecSlot(WorkerHost host, int index, bool dedicatedThread)
    {
        _host = host;
        Index = index;
        if (dedicatedThread)
        {
            _signal = new ManualResetEventSlim(false, 100);
            _payload = new byte[16 * 1024];
            var thread = new Thread(Loop, StackSize)
            {
                IsBackground = true,
                Name = $"Concurrency worker thread {index}",
            };
            thread.Start();
        }
    }

    public int Index { get; }

    /// <summary>Gets a value indicating whether the slot is running a batch.</summary>
    public bool Running => _running;

    /// <summary>Gets the buffer the slot's Results frames are built in.</summary>
    public FrameBuffer Output { get; } = new();

    /// <summary>Gets the buffer results are serialized into before they are framed.</summary>
    public FrameBuffer Scratch { get; } = new();

    public List<ItemDetail> Details { get; } = [];

    /// <summary>Starts a Results frame in <see cref="Output"/> for items [<paramref name="start"/>, +<paramref name="count"/>) of batch <paramref name="seq"/>; the caller writes the rest and ends it.</summary>
    public FrameBuffer BeginResults(int seq, int start, int count, ResultFlags flags, long ticks, int executed)
    {
        var frame = Output;
        frame.Reset();
        frame.BeginFrame(FrameType.Results);
        frame.WriteInt32(Index);
        frame.WriteInt32(seq);
        frame.WriteInt32(start);
        frame.WriteInt32(count);
        frame.WriteByte((byte)flags);
        frame.WriteInt64(ticks);
        frame.WriteInt32(executed);
        return frame;
    }

    /// <summary>Runs a Batch frame on the calling (reader) thread.</summary>
    public void RunInline(int seq, ReadOnlyMemory<byte> payload)
    {
        var token = Begin(seq);
        try
        {
            RunBatch(payload, token);
        }
        finally
        {
            _running = false;
        }
    }

    /// <summary>Hands a Batch frame to the slot's thread (reader thread). The parent sends a slot one batch at a time.</summary>
    public void Post(int seq, ReadOnlySpan<byte> payload)
    {
        if (_payload.Length < payload.Length)
        {
            _payload = new byte[Math.Max(payload.Length, _payload.Length * 2)];
        }

        payload.CopyTo(_payload);
        _length = payload.Length;
        _ = Begin(seq);
        _signal!.Set();
    }

    /// <summary>Cancels batch <paramref name="seq"/> if it is the slot's. Callbacks run on the thread pool, never on the caller.</summary>
    public void Cancel(int seq)
    {
        lock (_lock)
        {
            if (_seq == seq && _running)
            {
                _ = _cts.CancelAsync();
            }
        }
    }

    /// <summary>Watchdog: cancels the running batch if the pool asked for it in the progress map.</summary>
    public void PollCancel()
    {
        if (_running)
        {
            var requested = _host.Progress.CancelRequested(Index);
            if (requested != 0 && requested == Volatile.Read(ref _seq))
            {
                Cancel(requested);
            }
        }
    }

    public byte[] Statuses(int count)
    {
        if (_statuses.Length < count)
        {
            _statuses = new byte[Math.Max(count, _statuses.Length * 2)];
        }

        Array.Clear(_statuses, 0, count);
        return _statuses;
    }

    public TWorkload GetWorkload<TWorkload>(int typeId, ReadOnlyMemory<byte> state, IWorkSerializer serializer)
    {
        if (_cachedTypeId == typeId && _cachedWorkload is TWorkload cached && state.Span.SequenceEqual(_cachedState))
        {
            return cached;
        }

        var created = serializer.Deserialize<TWorkload>(state) ?? throw new InvalidDataException("The workload deserialized to null.");
        _cachedTypeId = typeId;
        _cachedState = state.ToArray();
        _cachedWorkload = created;
        return created;
    }

    private CancellationToken Begin(int seq)
    {
        lock (_lock)
        {
            if (_cts.IsCancellationRequested)
            {
                _cts = new CancellationTokenSource();
            }

            _seq = seq;
            _running = true;
            return _cts.Token;
        }
    }

    private void Loop()
    {
        while (true)
        {
            _signal!.Wait();
            _signal.Reset();
            try
            {
                RunBatch(_payload.AsMemory(0, _length), _cts.Token);
            }
            catch (InvalidDataException ex)
            {
                _host.Fatal(ex.Message);
            }
            finally
            {
                _running = false;
            }
        }
    }

    private void RunBatch(ReadOnlyMemory<byte> payload, CancellationToken token)
    {
        var reader = new PayloadReader(payload, FrameType.Batch);
        _ = reader.ReadInt32();
        var seq = reader.ReadInt32();
        var typeId = reader.ReadInt32();
        var count = reader.ReadInt32();
        if (count < 0)
        {
            throw new InvalidDataException($"Malformed message: a batch of {count} items.");
        }

        if (!_host.TryGetRunner(typeId, out var runner, out var error))
        {
            _host.ReportAll(this, seq, count, ItemStatus.WorkloadRefused, error);
            return;
        }

        runner!.Run(this, seq, typeId, count, ref reader, token);
    }
}

/// <summary>Why an item failed, in a worker.</summary>
internal readonly record struct ItemDetail(int Position, string? ExceptionType, string? Message, string? StackTrace);
