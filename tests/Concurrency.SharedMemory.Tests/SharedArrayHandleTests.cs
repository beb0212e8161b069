using Concurrency.SharedMemory.Internal;
using MessagePack;
using MessagePack.Resolvers;

namespace Concurrency.SharedMemory.Tests;

public sealed class SharedArrayHandleTests : SharedMemoryTest
{
    private static readonly MessagePackSerializerOptions Contractless =
        MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);

    public sealed record SumInput(SharedArrayHandle<double> Data, int Scale);

    [Fact]
    public void Handle_OfNewArray_CoversTheWholeArrayWritable()
    {
        using var array = SharedArray<float>.Create(42);

        Assert.Equal(0, array.Handle.Offset);
        Assert.Equal(42, array.Handle.Length);
        Assert.False(array.Handle.IsReadOnly);
    }

    [Fact]
    public void Slice_Nested_OffsetsComposeAndViewSeesThoseElements()
    {
        using var array = SharedArray<int>.Create(100);
        var span = array.AsSpan();
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = i;
        }

        var slice = array.Handle.Slice(10, 50).Slice(5, 20);
        using var view = slice.Open();

        Assert.Equal(15, slice.Offset);
        Assert.Equal(20, slice.Length);
        Assert.Equal(Enumerable.Range(15, 20), view.ReadOnlySpan.ToArray());
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, -1)]
    [InlineData(0, 51)]
    [InlineData(51, 0)]
    [InlineData(50, 1)]
    [InlineData(1, long.MaxValue)]
    [InlineData(long.MaxValue, 1)]
    public void Slice_RangeOutside_ThrowsArgumentOutOfRangeException(long start, long length)
    {
        using var array = SharedArray<int>.Create(100);
        var handle = array.Handle.Slice(10, 50);

        Assert.Throws<ArgumentOutOfRangeException>(() => handle.Slice(start, length));
    }

    [Fact]
    public void Slice_EmptyAtEnd_IsAllowed()
    {
        using var array = SharedArray<int>.Create(10);

        var empty = array.Handle.Slice(10, 0);
        using var view = empty.Open();

        Assert.Equal(0, view.Length);
    }

    [Fact]
    public void AsReadOnly_KeepsRangeAndSurvivesSlicing()
    {
        using var array = SharedArray<int>.Create(10);

        var readOnly = array.Handle.Slice(2, 5).AsReadOnly();
        var sliced = readOnly.Slice(1, 2);

        Assert.True(readOnly.IsReadOnly);
        Assert.True(sliced.IsReadOnly);
        Assert.Equal(2, readOnly.Offset);
        Assert.Equal(3, sliced.Offset);
        Assert.NotEqual(array.Handle.Slice(2, 5), readOnly);
    }

    [Fact]
    public void Chunk_SplitsIntoConsecutiveHandles()
    {
        using var array = SharedArray<int>.Create(10);

        var chunks = array.Handle.Slice(1, 9).Chunk(4).ToList();

        Assert.Equal([(1L, 4L), (5L, 4L), (9L, 1L)], chunks.Select(c => (c.Offset, c.Length)));
        Assert.Throws<ArgumentOutOfRangeException>(() => array.Handle.Chunk(0));
    }

    [Fact]
    public void MessagePack_ContractlessRoundTrip_GivesEqualHandleThatOpens()
    {
        using var array = SharedArray<double>.Create(8);
        array.AsSpan()[5] = 2.5;
        var handle = array.Handle.Slice(4, 3).AsReadOnly();

        var bytes = MessagePackSerializer.Serialize(handle, Contractless);
        var copy = MessagePackSerializer.Deserialize<SharedArrayHandle<double>>(bytes, Contractless);

        Assert.Equal(handle, copy);
        using var view = copy.Open();
        Assert.True(view.IsReadOnly);
        Assert.Equal(new[] { 0, 2.5, 0 }, view.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void SystemTextJson_RoundTrip_GivesEqualHandle()
    {
        using var array = SharedArray<double>.Create(8);
        var handle = array.Handle.Slice(1, 6).AsReadOnly();

        var copy = System.Text.Json.JsonSerializer.Deserialize<SharedArrayHandle<double>>(System.Text.Json.JsonSerializer.Serialize(handle));

        Assert.Equal(handle, copy);
    }

    [Fact]
    public void MessagePack_HandleInsideAnInput_RoundTrips()
    {
        using var array = SharedArray<double>.Create(8);
        var input = new SumInput(array.Handle.Slice(2, 2), 3);

        var copy = MessagePackSerializer.Deserialize<SumInput>(MessagePackSerializer.Serialize(input, Contractless), Contractless);

        Assert.Equal(input, copy);
        Assert.True(MessagePackSerializer.Serialize(input, Contractless).Length < 200);
    }

    [Fact]
    public void Open_DefaultHandle_ThrowsInvalidOperationException()
    {
        var error = Assert.Throws<InvalidOperationException>(() => default(SharedArrayHandle<int>).Open());

        Assert.Contains("default value", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("concurrency-1-1-0123456789abcdef0123456789abcdef/../x")]
    [InlineData("concurrency-1-1-0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("other-1-1-0123456789abcdef0123456789abcdef")]
    [InlineData("")]
    public void Open_ForgedName_ThrowsInvalidOperationExceptionWithoutOpeningAnyFile(string name)
    {
        var forged = new SharedArrayHandle<int>(name, Guid.NewGuid(), 0, 1, false);

        var error = Assert.Throws<InvalidOperationException>(() => forged.Open());

        Assert.Contains("is not the name of a shared segment of this library", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ForgedSegmentId_ThrowsObjectDisposedException()
    {
        using var array = SharedArray<int>.Create(10);
        var forged = new SharedArrayHandle<int>(array.Handle.SegmentName, Guid.NewGuid(), 0, 10, true);

        var error = Assert.Throws<ObjectDisposedException>(() => forged.Open());

        Assert.Contains("segment id differs", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 11)]
    [InlineData(10, 1)]
    [InlineData(-1, 1)]
    [InlineData(long.MaxValue, 2)]
    public void Open_ForgedRangeOutsideSegment_ThrowsInvalidOperationException(long offset, long length)
    {
        using var array = SharedArray<int>.Create(10);
        var forged = new SharedArrayHandle<int>(array.Handle.SegmentName, array.Handle.SegmentId, offset, length, false);

        var error = Assert.Throws<InvalidOperationException>(() => forged.Open());

        Assert.Contains("outside the shared segment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_OtherElementType_ThrowsInvalidOperationException()
    {
        using var array = SharedArray<int>.Create(10);
        var forged = new SharedArrayHandle<long>(array.Handle.SegmentName, array.Handle.SegmentId, 0, 5, true);

        var error = Assert.Throws<InvalidOperationException>(() => forged.Open());

        Assert.Contains("elements of 4 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_AfterOwnerDispose_ThrowsObjectDisposedException()
    {
        var array = SharedArray<int>.Create(10);
        var handle = array.Handle;
        array.Dispose();

        var error = Assert.Throws<ObjectDisposedException>(() => handle.Open());
        var readOnly = Assert.Throws<ObjectDisposedException>(() => handle.AsReadOnly().Open());

        Assert.Contains("has been disposed by its owner", error.Message, StringComparison.Ordinal);
        Assert.Contains("has been disposed by its owner", readOnly.Message, StringComparison.Ordinal);
        Assert.Equal(0, SegmentRegistry.MappedCount);
    }

    [Fact]
    public void Open_AfterOwnerDisposeWhileAnotherViewHoldsTheMapping_ThrowsObjectDisposedException()
    {
        var array = SharedArray<int>.Create(10);
        var handle = array.Handle;
        using var held = handle.Open();
        array.Dispose();

        var error = Assert.Throws<ObjectDisposedException>(() => handle.Open());

        Assert.Contains("has been disposed by its owner", error.Message, StringComparison.Ordinal);
    }
}
