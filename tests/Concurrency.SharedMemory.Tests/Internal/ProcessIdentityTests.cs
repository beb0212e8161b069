using Concurrency.SharedMemory.Internal;

namespace Concurrency.SharedMemory.Tests.Internal;

public sealed class ProcessIdentityTests : SharedMemoryTest
{
    [Fact]
    public void IsAlive_CurrentProcess_TrueOnlyWithItsStartTime()
    {
        Assert.True(ProcessIdentity.CurrentStartTime > 0);
        Assert.True(ProcessIdentity.IsAlive(Environment.ProcessId, ProcessIdentity.CurrentStartTime));
        Assert.False(ProcessIdentity.IsAlive(Environment.ProcessId, ProcessIdentity.CurrentStartTime + 1));
        Assert.True(ProcessIdentity.IsAlive(Environment.ProcessId, ProcessIdentity.CurrentStartTime | (1L << 40), 0xFFFF_FFFF));
    }

    [Fact]
    public async Task IsAlive_KilledChild_False()
    {
        var child = StartChild("create-and-hang", "1");
        var handle = TestChild.Decode(await child.ExpectAsync("CREATED"));
        Assert.True(SegmentName.TryParseOwner(handle.SegmentName, out var pid, out var start));
        Assert.True(ProcessIdentity.IsAlive(pid, start));

        await child.KillAsync();

        Assert.False(ProcessIdentity.IsAlive(pid, start));
        Assert.Null(ProcessIdentity.GetStartTime(pid));
        SharedMemoryJanitor.ReclaimStale();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void IsAlive_NonPositivePid_False(int pid)
    {
        Assert.False(ProcessIdentity.IsAlive(pid, 0));
    }
}
