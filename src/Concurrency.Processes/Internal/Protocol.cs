namespace Concurrency.Processes.Internal;

/// <summary>
/// The wire protocol between a pool and its workers.
/// </summary>
/// <remarks>
/// <para>
/// Either end treats what the other sends as untrusted. The decoders (<see cref="FrameReader"/>,
/// <see cref="PayloadReader"/>, the codecs) report bytes that break the protocol — a malformed or truncated frame,
/// fields that contradict each other or the state they refer to — with an <see cref="InvalidDataException"/> whose
/// message starts with "Malformed message" or "Truncated message", and with nothing else: lengths, counts and
/// offsets are compared without arithmetic that can overflow, and no length is allocated before its bytes arrive.
/// </para>
/// <para>
/// A frame is a 5-byte header — the payload length (int32, little-endian) and a <see cref="FrameType"/> —
/// followed by the payload. The parent writes to the worker's stdin; the worker writes to a private
/// duplicate of its original stdout, after pointing file descriptor 1 at stderr, so that nothing the
/// workload prints (managed or native) can reach the protocol. Both ends are anonymous pipes: they are
/// not in the file system and no other process can open them.
/// </para>
/// <para>Payloads (strings: int32 UTF-8 byte count, -1 for null, then the bytes):</para>
/// <code>
/// Hello          P→W  version, workerId, threads, progressPath, serializerType, initializerType?, maxItems, maxMemory(int64), transportType?, connectionName?
/// Ready          W→P  pid
/// StartFailed    W→P  stage, exceptionType, message, stackTrace?
/// DefineWorkload P→W  typeId, workloadType, inputType, resultType (assembly-qualified names)
/// Batch          P→W  slot, seq, typeId, count, workloadState(len+bytes), inputs(len+bytes: TInput[] of count)
/// Cancel         P→W  slot, seq
/// Shutdown       P→W  (empty)
/// Results        W→P  slot, seq, start, count, flags, ticks(int64), executed,
///                     [statuses: count bytes, then per failure its details], results(len+bytes: TResult[] of count, or 0)
/// </code>
/// </remarks>
internal static class Protocol
{
    /// <summary>The version both ends must agree on.</summary>
    public const int Version = 2;

    /// <summary>The first command-line argument of a worker process.</summary>
    public const string WorkerMarker = "--concurrency-worker";

    /// <summary>The size of a frame header.</summary>
    public const int HeaderSize = 5;

    /// <summary>
    /// The largest payload accepted: a bound that turns a corrupt length into an error. The reader never allocates a
    /// frame's announced length up front; its buffer grows with the bytes that actually arrive (see <see cref="FrameReader"/>).
    /// </summary>
    public const int MaxPayloadLength = 1 << 30;

    /// <summary>Above this size, a frame buffer that a large frame grew is released once the frame is done, instead of kept for the next one.</summary>
    public const int BufferKeepLimit = 64 * 1024 * 1024;
}


/// <summary>The kinds of frame.</summary>
internal enum FrameType : byte
{
    Hello = 1,
    DefineWorkload = 2,
    Batch = 3,
    Cancel = 4,
    Shutdown = 5,
    Ready = 10,
    StartFailed = 11,
    Results = 12,
}

/// <summary>How one item ended in a worker.</summary>
internal enum ItemStatus : byte
{
    Ok = 0,

    /// <summary>Details: exception type, message, stack trace.</summary>
    WorkloadThrew = 1,
    Canceled = 2,

    /// <summary>Details: message.</summary>
    ResultNotSerializable = 3,

    /// <summary>The worker stopped before the item (recycling): the parent dispatches it again.</summary>
    NotRun = 4,

    /// <summary>Details: message.</summary>
    InputNotDeserializable = 5,

    /// <summary>Details: message.</summary>
    WorkloadRefused = 6,
}

/// <summary>Flags of a Results frame.</summary>
[Flags]
internal enum ResultFlags : byte
{
    None = 0,

    /// <summary>The last frame of the batch.</summary>
    Finished = 1,

    /// <summary>A status byte per item follows.</summary>
    HasStatuses = 2,

    /// <summary>The worker has reached a recycling limit: send it nothing more.</summary>
    Retiring = 4,
}
