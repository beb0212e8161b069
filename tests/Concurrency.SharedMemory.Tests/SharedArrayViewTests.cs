using Concurrency.SharedMemory.Internal;
using Concurrency.Tests;

namespace Concurrency.SharedMemory.Tests;

public sealed class SharedArrayViewTests : SharedMemoryTest
{
    [Fact]
    public void Open_InOwnerProcess_ReusesOwnerMappingAndSharesBytes()
    {
        using var array = SharedArray<long>.Create(1000);
        array.AsSpan().Fill(3);
        var mappings = SegmentRegistry.MappedCount;

        using var view = array.Handle.Open();
        view.Span[10] = 99;

        Assert.Equal(mappings, SegmentRegistry.MappedCount);
        Assert.Equal(99, array.AsSpan()[10]);
        Assert.Equal(3 * 999 + 99, Sum(view.ReadOnlySpan));
    }

    [Fact]
    public void Open_ReadOnlyHandle_SpanThrowsAndReadOnlySpanReads()
    {
        using var array = SharedArray<int>.Create(4);
        array.AsSpan()[1] = 7;

        using var view = array.Handle.AsReadOnly().Open();

        Assert.True(view.IsReadOnly);
        var error = Assert.Throws<InvalidOperationException>(() => view.Span.Length);
        Assert.Contains("read-only handle", error.Message, StringComparison.Ordinal);
        Assert.Equal(7, view.ReadOnlySpan[1]);
    }

    [Fact]
    public void Open_ReadOnlyHandleInOwnerProcess_MapsSeparatelyReadOnly()
    {
        using var array = SharedArray<int>.Create(4);
        var mappings = SegmentRegistry.MappedCount;

        using (var first = array.Handle.AsReadOnly().Open())
        using (var second = array.Handle.AsReadOnly().Open())
        {
            Assert.Equal(mappings + 1, SegmentRegistry.MappedCount);
        }

        Assert.Equal(mappings, SegmentRegistry.MappedCount);
    }

    [Fact]
    public void Dispose_View_IsIdempotentAndSpansThrowAfterwards()
    {
        using var array = SharedArray<int>.Create(4);
        var view = array.Handle.Open();

        view.Dispose();
        view.Dispose();

        Assert.Throws<ObjectDisposedException>(() => view.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => view.ReadOnlySpan.Length);
    }

    [Fact]
    public void View_AfterOwnerDispose_StaysValidUntilDisposedThenMappingIsReleased()
    {
        var array = SharedArray<long>.Create(512);
        array.AsSpan().Fill(2);
        var path = Path.Combine(SharedMemoryLeaks.Directory, array.Handle.SegmentName);
        var mappings = SegmentRegistry.MappedCount;
        var view = array.Handle.Open();

        array.Dispose();

        Assert.False(File.Exists(path));
        view.Span[0] = 5;
        Assert.Equal(2 * 511 + 5, Sum(view.ReadOnlySpan));
        view.Dispose();
        Assert.Equal(mappings - 1, SegmentRegistry.MappedCount);
    }

    [Fact]
    public void Open_HandleLongerThanIntMax_ThrowsInvalidOperationExceptionPointingToSlice()
    {
        var handle = new SharedArrayHandle<byte>("concurrency-1-1-0123456789abcdef0123456789abcdef", Guid.NewGuid(), 0, int.MaxValue + 1L, false);

        var error = Assert.Throws<InvalidOperationException>(() => handle.Open());

        Assert.Contains("Slice", error.Message, StringComparison.Ordinal);
    }

    private static long Sum(ReadOnlySpan<long> values)
    {
        long sum = 0;
        foreach (var value in values)
        {
            sum += value;
        }

        return sum;
    }
}
