using System.Text.RegularExpressions;
using Concurrency.SharedMemory.Internal;
using Concurrency.Tests;

namespace Concurrency.SharedMemory.Tests;

public sealed class SharedArrayTests : SharedMemoryTest
{
    private static string PathOf<T>(SharedArray<T> array)
        where T : unmanaged => Path.Combine(SharedMemoryLeaks.Directory, array.Handle.SegmentName);

    [Fact]
    public void Create_NewArray_IsAFileInDevShmWithMode0600()
    {
        using var array = SharedArray<double>.Create(1000);

        var path = PathOf(array);
        Assert.True(File.Exists(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(SegmentHeader.Size + (1000 * sizeof(double)), new FileInfo(path).Length);
    }

    [Fact]
    public void Create_TwoArrays_NamesCarryOwnerAndDiffer128RandomBits()
    {
        using var first = SharedArray<byte>.Create(1);
        using var second = SharedArray<byte>.Create(1);

        var pattern = new Regex($"^concurrency-{Environment.ProcessId}-{ProcessIdentity.CurrentStartTime}-([0-9a-f]{{32}})$");
        var a = pattern.Match(first.Handle.SegmentName);
        var b = pattern.Match(second.Handle.SegmentName);
        Assert.True(a.Success, first.Handle.SegmentName);
        Assert.True(b.Success, second.Handle.SegmentName);
        Assert.NotEqual(a.Groups[1].Value, b.Groups[1].Value);
        Assert.NotEqual(first.Handle.SegmentId, second.Handle.SegmentId);
    }

    [Fact]
    public void Create_NewArray_IsZeroed()
    {
        using var array = SharedArray<long>.Create(10_000, preFault: true);

        Assert.Equal(10_000, array.Length);
        Assert.True(array.AsSpan().IndexOfAnyExcept(0L) < 0);
    }

    [Fact]
    public void Create_ZeroLength_GivesEmptySpanAndView()
    {
        using var array = SharedArray<int>.Create(0);
        using var view = array.Handle.Open();

        Assert.True(array.AsSpan().IsEmpty);
        Assert.Equal(0, view.Length);
    }

    [Fact]
    public void Create_NegativeLength_ThrowsArgumentOutOfRangeException()
    {
        Assert.Throws<ArgumentOutOfRangeException>("length", () => SharedArray<int>.Create(-1));
    }

    [Fact]
    public void Create_LengthBeyondAddressableBytes_ThrowsArgumentOutOfRangeException()
    {
        Assert.Throws<ArgumentOutOfRangeException>("length", () => SharedArray<long>.Create(long.MaxValue / 4));
    }

    [Fact]
    public void Create_LargerThanFreeSpace_ThrowsIOExceptionNamingSizesAndLeavesNoFile()
    {
        var free = new DriveInfo(SharedMemoryLeaks.Directory).AvailableFreeSpace;
        var length = free + (1L << 30);

        var error = Assert.Throws<IOException>(() => SharedArray<byte>.Create(length));

        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{length + SegmentHeader.Size:N0} bytes"), error.Message, StringComparison.Ordinal);
        Assert.Contains("bytes free", error.Message, StringComparison.Ordinal);
        Assert.Contains("SIGBUS", error.Message, StringComparison.Ordinal);
        Assert.Empty(SharedMemoryLeaks.FilesOf());
    }

    [Fact]
    public void Dispose_Owner_UnlinksFileAndIsIdempotent()
    {
        var array = SharedArray<int>.Create(100);
        var path = PathOf(array);

        array.Dispose();
        array.Dispose();

        Assert.False(File.Exists(path));
        Assert.Throws<ObjectDisposedException>(() => array.AsSpan());
        Assert.Throws<ObjectDisposedException>(() => array.AsSpan(0, 1));
    }

    [Fact]
    public void AsSpan_Range_CoversTheRequestedElements()
    {
        using var array = SharedArray<int>.Create(100);
        var all = array.AsSpan();
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = i;
        }

        var part = array.AsSpan(90, 10);

        Assert.Equal(Enumerable.Range(90, 10), part.ToArray());
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(0, 101)]
    [InlineData(100, 1)]
    [InlineData(99, 2)]
    [InlineData(0, -1)]
    [InlineData(long.MaxValue, 1)]
    public void AsSpan_RangeOutside_ThrowsArgumentOutOfRangeException(long start, int length)
    {
        using var array = SharedArray<int>.Create(100);

        Assert.Throws<ArgumentOutOfRangeException>(() => array.AsSpan(start, length));
    }

    [SharedMemoryFact(gibibytes: 3)]
    public void Create_ThreeGiB_WorksThroughChunksAndSlices()
    {
        const long length = 3L << 30; // bytes; sparse: only the touched pages are committed
        using var array = SharedArray<byte>.Create(length);

        var error = Assert.Throws<InvalidOperationException>(() => array.AsSpan());
        Assert.Contains("AsSpan(start, length)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Handle.Slice", error.Message, StringComparison.Ordinal);

        array.AsSpan(length - 4, 4).Fill(0xAB);
        array.AsSpan((2L << 30) + 1, 1)[0] = 0xCD;

        Assert.Throws<InvalidOperationException>(() => array.Handle.Open());
        using (var tail = array.Handle.Slice(length - 4096, 4096).AsReadOnly().Open())
        {
            Assert.Equal(new byte[] { 0, 0xAB, 0xAB, 0xAB, 0xAB }, tail.ReadOnlySpan[^5..].ToArray());
        }

        var chunks = array.Handle.Chunk(int.MaxValue).ToList();
        Assert.Equal(2, chunks.Count);
        Assert.Equal(length, chunks.Sum(c => c.Length));
        using var second = chunks[1].Open();
        Assert.Equal(0xCD, second.ReadOnlySpan[(int)((2L << 30) + 1 - int.MaxValue)]);
    }
}
