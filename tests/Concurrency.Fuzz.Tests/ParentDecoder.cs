using Concurrency.Processes;
using Concurrency.Processes.Internal;

namespace Concurrency.Fuzz.Tests;

/// <summary>
/// What the parent does with the bytes a worker sends, up to the point where it settles items: frames from a
/// <see cref="FrameReader"/>, each payload decoded as the pool decodes it (the fields of Ready, StartFailed and the head
/// of Results, then <see cref="BatchCodec{TWorkload,TInput,TResult}.DecodeResults"/>). Frames only the parent sends
/// are the protocol errors the pool reports.
/// </summary>
internal static class ParentDecoder
{
    private static readonly MessagePackWorkSerializer Serializer = new();
    private static readonly BatchCodec<ObjectWorkload, int, object?> ObjectCodec = new();
    private static readonly BatchCodec<DoublesWorkload, int, double[]> DoublesCodec = new();
    private static readonly BatchCodec<RecordWorkload, int, Sample> RecordCodec = new();

    /// <summary>Reads every frame of <paramref name="stream"/> and decodes it; returns the number of frames. Throws <see cref="InvalidDataException"/> (only) for bytes that break the protocol.</summary>
    public static int ReadAll(Stream stream, ResultShape shape, int initialCapacity, long streamLength)
    {
        var reader = new FrameReader(stream, initialCapacity);
        var frames = 0;
        try
        {
            while (reader.TryReadFrame(out var type, out var payload))
            {
                frames++;
                Decode(type, payload, shape);
            }

            return frames;
        }
        finally
        {
            // Memory stays bounded by what arrived, whatever the headers announce.
            if (reader.Capacity > Math.Max(initialCapacity, 2 * streamLength))
            {
                throw new FuzzFindingException($"The reader grew its buffer to {reader.Capacity} bytes for a stream of {streamLength}.");
            }
        }
    }

    /// <summary>Decodes one frame's payload as the pool does.</summary>
    public static void Decode(FrameType type, ReadOnlyMemory<byte> payload, ResultShape shape)
    {
        var reader = new PayloadReader(payload, type);
        switch (type)
        {
            case FrameType.Results:
                _ = reader.ReadInt32(); // slot and seq: checked against the pool's state, not decoded further
                _ = reader.ReadInt32();
                var start = reader.ReadInt32();
                var count = reader.ReadInt32();
                var flags = (ResultFlags)reader.ReadByte();
                DecodeResults(ref reader, shape, flags, start, count);
                break;
            case FrameType.Ready:
                _ = reader.ReadInt32();
                break;
            case FrameType.StartFailed:
                _ = reader.ReadRequiredString();
                _ = reader.ReadRequiredString();
                _ = reader.ReadString();
                _ = reader.ReadString();
                break;
            default:
                throw new InvalidDataException($"Malformed message: a worker sent a {type} frame, which only the pool sends.");
        }
    }

    /// <summary>Decodes the rest of a Results payload, and checks that what it returns is consistent.</summary>
    public static void DecodeResults(ref PayloadReader reader, ResultShape shape, ResultFlags flags, int start, int count)
    {
        var (executed, statuses, failures, results) = shape switch
        {
            ResultShape.Object => Summary(ObjectCodec.DecodeResults(ref reader, Serializer, flags, start, count, Corpus.Sent)),
            ResultShape.Doubles => Summary(DoublesCodec.DecodeResults(ref reader, Serializer, flags, start, count, Corpus.Sent)),
            _ => Summary(RecordCodec.DecodeResults(ref reader, Serializer, flags, start, count, Corpus.Sent)),
        };
        if (start < 0 || count < 0 || start + (long)count > Corpus.Sent || executed > count || statuses is { } s && s != count ||
            failures is { } f && f != count || results is { } r && r != count)
        {
            throw new FuzzFindingException($"Decoded an inconsistent Results frame: positions {start}+{count} of {Corpus.Sent}, {executed} executed, {statuses} statuses, {failures} failures, {results} results.");
        }
    }

    private static (int Executed, int? Statuses, int? Failures, int? Results) Summary<T>(DecodedResults<T> decoded) =>
        (decoded.Executed, decoded.Statuses?.Length, decoded.Failures?.Length, decoded.Results?.Length);
}

public sealed class ObjectWorkload : IWorkload<int, object?>
{
    public object? Execute(int input, WorkContext context) => input;
}

public sealed class DoublesWorkload : IWorkload<int, double[]>
{
    public double[] Execute(int input, WorkContext context) => [input];
}

public sealed class RecordWorkload : IWorkload<int, Sample>
{
    public Sample Execute(int input, WorkContext context) => new("x", [input], []);
}
