using System.Buffers;
using Concurrency.Processes.Internal;
using MessagePack;

namespace Concurrency.Processes.Tests;

/// <summary>The default serializer's depth limit, which keeps hostile or accidental nesting from exhausting a reader's stack.</summary>
public sealed class MessagePackWorkSerializerTests
{
    private const string TooDeep =
        "Nesting deeper than 500 levels (MessagePackWorkSerializer.MaxDepth), the most a reader accepts: " +
        "flatten the structure (e.g. a list instead of a chain of nested objects) and check it for cycles.";

    private readonly MessagePackWorkSerializer _serializer = new();

    [Fact]
    public void Serialize_ObjectTypedValueOneLevelDeeperThanTheLimit_ThrowsAndWritesNothing()
    {
        var frame = new FrameBuffer();
        _serializer.Serialize(frame, Nested(MessagePackWorkSerializer.MaxDepth));
        Assert.Equal(MessagePackWorkSerializer.MaxDepth, Nest.DepthOf(_serializer.Deserialize<object?>(frame.WrittenMemory)));
        frame.Reset();
        frame.WriteInt32(42);

        var ex = Assert.Throws<MessagePackSerializationException>(() => _serializer.Serialize(frame, Nested(MessagePackWorkSerializer.MaxDepth + 1)));

        Assert.Equal(TooDeep, ex.Message);
        Assert.Equal(4, frame.Position);
    }

    [Fact]
    public void Serialize_BatchWithOneValueDeeperThanTheLimit_Throws()
    {
        var frame = new FrameBuffer();
        _serializer.Serialize(frame, new[] { Nested(1), Nested(MessagePackWorkSerializer.MaxDepth) });
        Assert.Equal([1, MessagePackWorkSerializer.MaxDepth], _serializer.Deserialize<object?[]>(frame.WrittenMemory).Select(Nest.DepthOf));

        var ex = Assert.Throws<MessagePackSerializationException>(() => _serializer.Serialize(new ArrayBufferWriter<byte>(), new[] { Nested(1), Nested(MessagePackWorkSerializer.MaxDepth + 1) }));
        Assert.Equal(TooDeep, ex.Message);
    }

    [Fact]
    public void Serialize_RecursiveClassDeeperThanTheLimit_ThrowsAndWritesNothing()
    {
        var destination = new ArrayBufferWriter<byte>();
        _serializer.Serialize(destination, Chain(MessagePackWorkSerializer.MaxDepth));
        Assert.Equal(MessagePackWorkSerializer.MaxDepth, Length(_serializer.Deserialize<Link>(destination.WrittenMemory)));
        destination.Clear();

        var ex = Assert.Throws<MessagePackSerializationException>(() => _serializer.Serialize(destination, Chain(MessagePackWorkSerializer.MaxDepth + 1)));

        Assert.Equal(TooDeep, ex.Message);
        Assert.Equal(0, destination.WrittenCount);
    }

    /// <summary>A million nested arrays, as a hostile peer would write them: read to the limit, then refused, instead of overflowing the stack.</summary>
    [Fact]
    public void Deserialize_AMillionLevelsDeep_ThrowsNamingTheLimit()
    {
        var bytes = new byte[1_000_001];
        bytes.AsSpan(0, 1_000_000).Fill(0x91);
        bytes[^1] = 0xc0;

        var ex = Assert.Throws<MessagePackSerializationException>(() => _serializer.Deserialize<object?[]>(bytes));

        Assert.Equal("Failed to deserialize System.Object[]: nesting deeper than 500 levels (MessagePackWorkSerializer.MaxDepth), the most a reader accepts.", ex.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x91, 0x91, 0xc0 }, 2, false)]
    [InlineData(new byte[] { 0x91, 0x91, 0xc0 }, 1, true)]
    [InlineData(new byte[] { 0x92, 0x90, 0x81, 0x01, 0x91, 0xc0 }, 3, false)] // [[], {1: [nil]}]
    [InlineData(new byte[] { 0x92, 0x90, 0x81, 0x01, 0x91, 0xc0 }, 2, true)]
    [InlineData(new byte[] { 0x90 }, 1, false)] // an empty array is a level
    [InlineData(new byte[] { 0x90 }, 0, true)]
    [InlineData(new byte[] { 0x05 }, 0, false)]
    public void NestsDeeperThan_CountsLevelsOfArraysAndMaps(byte[] bytes, int limit, bool deeper) =>
        Assert.Equal(deeper, MessagePackWorkSerializer.NestsDeeperThan(bytes, limit));

    private static object? Nested(int depth) => new Nest().Execute(depth, null!);

    private static Link? Chain(int length)
    {
        Link? head = null;
        for (var i = 0; i < length; i++)
        {
            head = new Link { Next = head };
        }

        return head;
    }

    private static int Length(Link? link)
    {
        var length = 0;
        for (; link is not null; link = link.Next)
        {
            length++;
        }

        return length;
    }
}

/// <summary>A linked list: a type whose nesting only its values bound.</summary>
public sealed class Link
{
    public Link? Next { get; set; }
}
