using Concurrency.Orleans.Internal;
using MessagePack;

namespace Concurrency.Orleans.Tests;

/// <summary>What a silo or a client does with a payload from the network that nests without end: refuse it at the depth limit, not overflow its stack.</summary>
public sealed class PayloadSerializerTests
{
    private static readonly byte[] MillionDeep = MillionNestedArrays();

    [Fact]
    public void Deserialize_InputsNestedAMillionDeep_ThrowsNamingTheLimit()
    {
        var ex = Assert.Throws<MessagePackSerializationException>(() => MessagePackPayloadSerializer.Instance.Deserialize<object?[]>(MillionDeep));
        Assert.Equal("Failed to deserialize System.Object[]: nesting deeper than 500 levels (MessagePackWorkSerializer.MaxDepth), the most a reader accepts.", ex.Message);
    }

    [Fact]
    public void Deserialize_WorkloadStateNestedAMillionDeep_ThrowsNamingTheLimit()
    {
        var ex = Assert.Throws<MessagePackSerializationException>(() => MessagePackPayloadSerializer.Instance.Deserialize(typeof(object), MillionDeep));
        Assert.Equal("Failed to deserialize System.Object: nesting deeper than 500 levels (MessagePackWorkSerializer.MaxDepth), the most a reader accepts.", ex.Message);
    }

    private static byte[] MillionNestedArrays()
    {
        var bytes = new byte[1_000_001];
        bytes.AsSpan(0, 1_000_000).Fill(0x91);
        bytes[^1] = 0xc0;
        return bytes;
    }
}
