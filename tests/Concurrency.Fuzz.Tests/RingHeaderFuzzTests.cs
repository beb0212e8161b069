using System.Globalization;
using System.Runtime.Versioning;
using Concurrency.Tests;
using CsCheck;
using Xunit.Abstractions;

namespace Concurrency.Fuzz.Tests;

/// <summary>
/// Fuzzes the parent's reading of a shared-memory ring whose header a hostile worker rewrites: valid frame streams are
/// written through the ring while boundary and random values (absolute, or relative to the positions the header holds
/// then) are written over the header's words, mostly the producer's position, between the worker's writes and so
/// while the parent reads or waits. The parent must only ever return data, end the stream, or throw
/// <see cref="InvalidDataException"/>; no read may return more than the ring holds; every input must end.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RingHeaderFuzzTests(ITestOutputHelper output)
{
    /// <summary>How long both sides may wait for each other before the channel is closed (see <see cref="RingTransport.OpenDamaged"/>).</summary>
    private static readonly TimeSpan Watchdog = TimeSpan.FromMilliseconds(500);

    [Fact]
    public void FrameStreams_HeaderRewrittenByTheWorker_AreReadOrRejectedAsMalformed()
    {
        var frames = Gen.Int[0, Corpus.Frames.Count - 1].Array[1, 3];
        var gen = Gen.Select(frames, HeaderDamage.Gen.Array[1, 4], Gen.Int[1, 64], Gen.Enum<ResultShape>(), Gen.Int[5, 64],
            (picked, damage, chunk, shape, capacity) => (Bytes: picked.SelectMany(i => Corpus.Frames[i]).ToArray(), Damage: damage, Chunk: chunk, Shape: shape, Capacity: capacity));
        var channels = RingTransport.OpenChannelFiles();
        var watchdogs = 0;

        var result = Campaign.Run(
            "Frame streams (ring with a rewritten header)",
            Campaign.RingIterations,
            gen,
            input =>
            {
                using var ring = RingTransport.OpenDamaged(input.Bytes, input.Chunk, input.Damage, Watchdog);
                try
                {
                    // A damaged producer position can hand the parent up to a ring of stale bytes per damage.
                    ParentDecoder.ReadAll(ring, input.Shape, input.Capacity, input.Bytes.Length + (input.Damage.Length * RingTransport.Capacity));
                }
                finally
                {
                    watchdogs += ring.WatchdogFired ? 1 : 0;
                }
            },
            ex => ex is InvalidDataException,
            input => string.Create(CultureInfo.InvariantCulture,
                $"{Convert.ToHexString(input.Bytes)} in writes of {input.Chunk} bytes, header damage [{string.Join("; ", input.Damage)}], as {input.Shape}, initial capacity {input.Capacity}"));

        output.WriteLine(result.ToString());
        output.WriteLine($"The watchdog closed the channel of {watchdogs} inputs (worker and parent each waiting for the other).");
        Assert.Equal(Campaign.RingIterations, result.Tried);
        Assert.Equal(channels, RingTransport.OpenChannelFiles());
        Assert.Null(SharedMemoryLeaks.Describe());
    }
}
