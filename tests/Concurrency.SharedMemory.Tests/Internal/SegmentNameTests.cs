using Concurrency.SharedMemory.Internal;

namespace Concurrency.SharedMemory.Tests.Internal;

public sealed class SegmentNameTests
{
    [Fact]
    public void CreateNew_IsValidAndNamesThisProcess()
    {
        var name = SegmentName.CreateNew();

        Assert.True(SegmentName.IsValid(name));
        Assert.True(SegmentName.TryParseOwner(name, out var pid, out var start));
        Assert.Equal(Environment.ProcessId, pid);
        Assert.Equal(ProcessIdentity.CurrentStartTime, start);
        Assert.NotEqual(name, SegmentName.CreateNew());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("concurrency-1-2-0123456789abcdef0123456789abcde")]
    [InlineData("concurrency-1-2-0123456789abcdef0123456789abcdef0")]
    [InlineData("concurrency--2-0123456789abcdef0123456789abcdef")]
    [InlineData("concurrency-1-2-0123456789abcdef0123456789abcdef\n")]
    [InlineData("x/concurrency-1-2-0123456789abcdef0123456789abcdef")]
    public void IsValid_OtherShapes_False(string? name)
    {
        Assert.False(SegmentName.IsValid(name));
    }
}
