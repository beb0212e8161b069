using System.Globalization;
using Concurrency.Processes.Internal;
using Concurrency.Tests;
using CsCheck;
using Xunit.Abstractions;

namespace Concurrency.Fuzz.Tests;

/// <summary>
/// Fuzzes everything the parent decodes from a worker: damaged frames and payloads must be decoded or rejected with
/// <see cref="InvalidDataException"/> (the protocol's exception), never anything else, and the reader's memory must
/// stay bounded by the bytes that arrived. Each campaign is seeded and its size is set by the environment (see README.md).
/// </summary>
public sealed class ParentDecoderFuzzTests(ITestOutputHelper output)
{
    /// <summary>
    /// The transports a worker's bytes reach the parent's frame reader through: a pipe, and a shared-memory ring (see
    /// <see cref="RingTransport"/>). To fuzz another reader, add its name here and open it in <see cref="Open"/>: a
    /// stream the parent would read the given bytes from.
    /// </summary>
    public static TheoryData<string> Transports { get; } = ["pipe", "ring"];

    /// <summary>Damaged streams of one to three frames, delivered in reads of random sizes.</summary>
    [Theory]
    [MemberData(nameof(Transports))]
    public void FrameStreams_Mutated_AreDecodedOrRejectedAsMalformed(string transport)
    {
        var frames = Gen.Int[0, Corpus.Frames.Count - 1].Array[1, 3];
        var gen = Gen.Select(frames, Mutation.Gen.Array[0, 4], Gen.Int[1, 64], Gen.Enum<ResultShape>(), Gen.Int[5, 64],
            (picked, mutations, chunk, shape, capacity) => (Bytes: Mutation.Apply([.. picked.SelectMany(i => Corpus.Frames[i])], mutations), Chunk: chunk, Shape: shape, Capacity: capacity));

        var channels = OpenChannelFiles();
        var result = Campaign.Run(
            $"Frame streams ({transport})",
            transport == "ring" ? Campaign.RingIterations : Campaign.Iterations,
            gen,
            input =>
            {
                using var stream = Open(transport, input.Bytes, input.Chunk);
                ParentDecoder.ReadAll(stream, input.Shape, input.Capacity, input.Bytes.Length);
            },
            ex => ex is InvalidDataException,
            input => string.Create(CultureInfo.InvariantCulture, $"{Convert.ToHexString(input.Bytes)} in reads of {input.Chunk} bytes, as {input.Shape}, initial capacity {input.Capacity}"));

        output.WriteLine(result.ToString());
        Assert.Equal(transport == "ring" ? Campaign.RingIterations : Campaign.Iterations, result.Tried);
        Assert.Equal(channels, OpenChannelFiles());
        Assert.Null(SharedMemoryLeaks.Describe());
    }

    /// <summary>Damaged Results payloads, decoded for the result type they were written for or another.</summary>
    [Fact]
    public void ResultsPayloads_Mutated_AreDecodedOrRejectedAsMalformed()
    {
        var gen = Gen.Select(Gen.Int[0, Corpus.ResultsPayloads.Count - 1], Mutation.Gen.Array[1, 6], Gen.Bool,
            (picked, mutations, sameShape) => (Payload: Mutation.Apply(Corpus.ResultsPayloads[picked].Payload, mutations),
                Shape: sameShape ? Corpus.ResultsPayloads[picked].Shape : (ResultShape)((int)(Corpus.ResultsPayloads[picked].Shape + 1) % 3)));

        var result = Campaign.Run(
            "Results payloads",
            gen,
            input => ParentDecoder.Decode(FrameType.Results, input.Payload, input.Shape),
            ex => ex is InvalidDataException,
            input => $"{Convert.ToHexString(input.Payload)} as {input.Shape}");

        output.WriteLine(result.ToString());
        Assert.Equal(Campaign.Iterations, result.Tried);
    }

    /// <summary>The undamaged corpus decodes without error: the campaigns start from messages the parent accepts.</summary>
    [Fact]
    public void Corpus_Undamaged_DecodesWithoutError()
    {
        foreach (var frame in Corpus.Frames.Where(f => f[4] != (byte)FrameType.Cancel))
        {
            using var stream = new MemoryStream(frame);
            Assert.Equal(1, ParentDecoder.ReadAll(stream, ResultShape.Object, 64, frame.Length));
        }

        foreach (var (shape, payload) in Corpus.ResultsPayloads)
        {
            ParentDecoder.Decode(FrameType.Results, payload, shape);
        }
    }

    private static Stream Open(string transport, byte[] bytes, int chunk) => transport switch
    {
        "pipe" => new ChunkedStream(bytes, chunk),
        "ring" when OperatingSystem.IsLinux() => RingTransport.Open(bytes, chunk),
        _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, "No such transport: add it to Transports and open it here."),
    };

    private static int OpenChannelFiles() => OperatingSystem.IsLinux() ? RingTransport.OpenChannelFiles() : 0;

    /// <summary>A stream that returns at most <c>chunk</c> bytes per read, as a pipe returns what has arrived.</summary>
    private sealed class ChunkedStream(byte[] bytes, int chunk) : MemoryStream(bytes, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);
    }
}
