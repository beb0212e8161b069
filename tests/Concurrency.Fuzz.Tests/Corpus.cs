using Concurrency.Processes;
using Concurrency.Processes.Internal;

namespace Concurrency.Fuzz.Tests;

/// <summary>Valid messages a worker sends its parent, to be damaged by <see cref="Mutation"/>: every frame type the parent reads, every item status, results of several shapes.</summary>
internal static class Corpus
{
    /// <summary>The number of items of the batch the Results frames answer.</summary>
    public const int Sent = 4;

    private static readonly MessagePackWorkSerializer Serializer = new();

    /// <summary>The result type of each Results frame (declared before the frames: their initializer fills it).</summary>
    private static readonly Dictionary<byte[], ResultShape> Shapes = new(ReferenceEqualityComparer.Instance);

    /// <summary>Gets whole frames (header included).</summary>
    public static IReadOnlyList<byte[]> Frames { get; } = Build();

    /// <summary>Gets the payloads of the Results frames, and the result type each was written for.</summary>
    public static IReadOnlyList<(ResultShape Shape, byte[] Payload)> ResultsPayloads { get; } =
        [.. Frames.Where(f => f[4] == (byte)FrameType.Results).Select(f => (ShapeOf(f), f[Protocol.HeaderSize..]))];

    private static ResultShape ShapeOf(byte[] frame) => Shapes[frame];

    private static List<byte[]> Build()
    {
        var frames = new List<byte[]>
        {
            Frame(FrameType.Ready, f => f.WriteInt32(4242)),
            Frame(FrameType.StartFailed, f =>
            {
                f.WriteString("initializer");
                f.WriteString("System.InvalidOperationException");
                f.WriteString("The initializer failed.");
                f.WriteString("   at Some.Method()");
            }),
            Frame(FrameType.Cancel, f =>
            {
                f.WriteInt32(0);
                f.WriteInt32(1);
            }),
        };

        object?[] objects = [1, "two", new object?[] { 3.0, null, new Dictionary<object, object?> { ["k"] = new object?[] { true } } }, new byte[] { 1, 2 }];
        Results(frames, ResultShape.Object, start: 0, count: Sent, ResultFlags.Finished, statuses: null, objects);
        Results(frames, ResultShape.Object, start: 1, count: 2, ResultFlags.None, statuses: null, objects[1..3]);
        Results(frames, ResultShape.Object, start: 0, count: Sent, ResultFlags.Finished | ResultFlags.HasStatuses | ResultFlags.Retiring,
            statuses: [ItemStatus.Ok, ItemStatus.WorkloadThrew, ItemStatus.ResultNotSerializable, ItemStatus.Canceled], [objects[0], null, null, null]);
        Results<object?>(frames, ResultShape.Object, start: 0, count: Sent, ResultFlags.Finished | ResultFlags.HasStatuses,
            statuses: [ItemStatus.NotRun, ItemStatus.InputNotDeserializable, ItemStatus.WorkloadRefused, ItemStatus.NotRun], results: null);
        Results(frames, ResultShape.Doubles, start: 0, count: 2, ResultFlags.Finished, statuses: null, new double[][] { [1.5, 2.5, 3.5], [] });
        Results(frames, ResultShape.Record, start: 2, count: 2, ResultFlags.Finished, statuses: null,
            new Sample[] { new("a", [1, 2, 3], new Dictionary<string, int> { ["x"] = 1 }), new("b", [], []) });
        return frames;
    }

    private static void Results<T>(List<byte[]> frames, ResultShape shape, int start, int count, ResultFlags flags, ItemStatus[]? statuses, T[]? results)
    {
        var frame = Frame(FrameType.Results, f =>
        {
            f.WriteInt32(0);
            f.WriteInt32(1);
            f.WriteInt32(start);
            f.WriteInt32(count);
            f.WriteByte((byte)flags);
            f.WriteInt64(12_345);
            f.WriteInt32(count);
            if (statuses is not null)
            {
                foreach (var status in statuses)
                {
                    f.WriteByte((byte)status);
                }

                foreach (var status in statuses)
                {
                    switch (status)
                    {
                        case ItemStatus.WorkloadThrew:
                            f.WriteString("System.ArgumentException");
                            f.WriteString("Bad argument.");
                            f.WriteString("   at Workload.Execute()");
                            break;
                        case ItemStatus.ResultNotSerializable or ItemStatus.InputNotDeserializable or ItemStatus.WorkloadRefused:
                            f.WriteString("Why it failed.");
                            break;
                    }
                }
            }

            var lengthAt = f.Reserve(4);
            if (results is not null)
            {
                Serializer.Serialize(f, results);
            }

            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(f.Patch(lengthAt, 4), f.Position - lengthAt - 4);
        });
        Shapes[frame] = shape;
        frames.Add(frame);
    }

    private static byte[] Frame(FrameType type, Action<FrameBuffer> write)
    {
        var buffer = new FrameBuffer();
        buffer.BeginFrame(type);
        write(buffer);
        buffer.EndFrame();
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>The result types the Results frames of the corpus carry.</summary>
internal enum ResultShape
{
    Object,
    Doubles,
    Record,
}

/// <summary>A record result: strings, a list and a dictionary (hashed with collision-resistant hashing when read).</summary>
public sealed record Sample(string Name, List<int> Values, Dictionary<string, int> Counts);
