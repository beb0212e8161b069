using System.Globalization;
using Concurrency.SharedMemory.Internal;
using Concurrency.Tests;
using Xunit.Abstractions;

namespace Concurrency.SharedMemory.Tests;

/// <summary>Owner in this process, views in child processes (ChildProcess/Program.cs).</summary>
public sealed class CrossProcessTests(ITestOutputHelper output) : SharedMemoryTest
{
    [Fact]
    public async Task Open_InChildProcess_SeesOwnerBytesAndItsWritesReachOwner()
    {
        using var array = SharedArray<long>.Create(1000);
        array.AsSpan().Fill(3);
        var child = StartChild("hold", TestChild.Encode(array.Handle));

        Assert.Equal("3000", await child.ExpectAsync("OPEN"));
        await child.SendAsync("write 7 1000003");
        await child.ExpectAsync("WRITTEN");
        array.AsSpan()[8] = 13;
        await child.SendAsync("sum");

        Assert.Equal(1000003, array.AsSpan()[7]);
        Assert.Equal((3000 - 6 + 1000003 + 13).ToString(CultureInfo.InvariantCulture), await child.ExpectAsync("SUM"));
        await child.SendAsync("exit");
        Assert.Equal(0, await child.WaitForExitAsync());
    }

    [Fact]
    public async Task Open_SliceInChildProcess_SeesOnlyThatRange()
    {
        using var array = SharedArray<long>.Create(100);
        var span = array.AsSpan();
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = i;
        }

        var child = StartChild("open", TestChild.Encode(array.Handle.Slice(10, 5).AsReadOnly()));

        Assert.Equal("60", await child.ExpectAsync("OK")); // 10+11+12+13+14
        Assert.Equal(0, await child.WaitForExitAsync());
    }

    [Fact]
    public async Task Open_InChildProcessAfterOwnerDispose_ThrowsObjectDisposedException()
    {
        var array = SharedArray<long>.Create(10);
        var handle = array.Handle;
        array.Dispose();

        var child = StartChild("open", TestChild.Encode(handle));

        var answer = await child.ExpectAsync("ERR");
        Assert.StartsWith("System.ObjectDisposedException", answer, StringComparison.Ordinal);
        Assert.Contains("has been disposed by its owner", answer, StringComparison.Ordinal);
        Assert.Equal(1, await child.WaitForExitAsync());
    }

    [Fact]
    public async Task ChildMapping_SurvivesOwnerDisposeAndUnlink_ButReopenThrowsObjectDisposedException()
    {
        var array = SharedArray<long>.Create(4096);
        array.AsSpan().Fill(1);
        var handle = array.Handle;
        var path = Path.Combine(SharedMemoryLeaks.Directory, handle.SegmentName);
        var child = StartChild("hold", TestChild.Encode(handle));
        Assert.Equal("4096", await child.ExpectAsync("OPEN"));

        array.Dispose();
        Assert.False(File.Exists(path));

        await child.SendAsync("write 0 11");
        await child.ExpectAsync("WRITTEN");
        await child.SendAsync("sum");
        Assert.Equal("4106", await child.ExpectAsync("SUM"));
        await child.SendAsync("reopen");
        Assert.StartsWith("System.ObjectDisposedException", await child.ExpectAsync("ERR"), StringComparison.Ordinal);
        await child.SendAsync("exit");
        Assert.Equal(0, await child.WaitForExitAsync());
    }

    [Fact]
    public async Task Open_ReadOnlyHandleInChild_WriteThroughUnsafeCodeFaultsAndChangesNothing()
    {
        using var array = SharedArray<long>.Create(8);
        array.AsSpan()[0] = 1;
        var child = StartChild("write-readonly", TestChild.Encode(array.Handle.AsReadOnly()));

        await child.ExpectAsync("OPENED");
        var exitCode = await child.WaitForExitAsync();
        output.WriteLine($"child exit code {exitCode}; stderr: {child.StdErr}");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("System.AccessViolationException", child.StdErr, StringComparison.Ordinal);
        Assert.Equal(1, array.AsSpan()[0]);
        Assert.Null(await ReadRemainingLineAsync(child));
    }

    [Fact]
    public async Task OwnerProcess_ExitingWithoutDispose_RemovesItsSegment()
    {
        var child = StartChild("create-and-exit");
        var handle = TestChild.Decode(await child.ExpectAsync("CREATED"));

        Assert.Equal(0, await child.WaitForExitAsync());

        Assert.False(File.Exists(Path.Combine(SharedMemoryLeaks.Directory, handle.SegmentName)));
    }

    [Fact]
    public async Task ReclaimStale_OwnerKilled_DeletesItsSegmentButNotLiveOnes()
    {
        using var mine = SharedArray<long>.Create(8);
        var child = StartChild("create-and-hang", "1024");
        var handle = TestChild.Decode(await child.ExpectAsync("CREATED"));
        var path = Path.Combine(SharedMemoryLeaks.Directory, handle.SegmentName);
        Assert.True(SegmentName.TryParseOwner(handle.SegmentName, out var pid, out _));
        Assert.Equal(child.Id, pid);

        SharedMemoryJanitor.ReclaimStale();
        Assert.True(File.Exists(path)); // owner alive

        await child.KillAsync();

        // SIGKILL: the owner cleaned nothing up; the janitor does. (Not counted: the janitor of another test process
        // sharing /dev/shm, a pool starting there, may reclaim the file first; either way it is gone.)
        SharedMemoryJanitor.ReclaimStale();
        Assert.False(File.Exists(path));
        Assert.True(File.Exists(Path.Combine(SharedMemoryLeaks.Directory, mine.Handle.SegmentName)));
        Assert.Empty(SharedMemoryLeaks.FilesOf(child.Id));
    }

    [Fact]
    public async Task ReclaimStale_WhileAnotherProcessMapsTheSegment_MappingStaysValid()
    {
        var owner = StartChild("create-and-hang", "512");
        var handle = TestChild.Decode(await owner.ExpectAsync("CREATED"));
        using var view = handle.Open();
        await owner.KillAsync();

        SharedMemoryJanitor.ReclaimStale();

        Assert.False(File.Exists(Path.Combine(SharedMemoryLeaks.Directory, handle.SegmentName)));
        Assert.Equal(7 * 512, view.ReadOnlySpan.ToArray().Sum());
    }

    [Fact]
    public void ReclaimStale_ForgedFileOfDeadPidWithOtherStartTime_IsDeleted()
    {
        // Our own pid, but another start time: a previous process that had this pid.
        var name = $"concurrency-{Environment.ProcessId}-{ProcessIdentity.CurrentStartTime + 1}-{new string('a', 32)}";
        var path = Path.Combine(SharedMemoryLeaks.Directory, name);
        File.WriteAllBytes(path, new byte[16]);

        SharedMemoryJanitor.ReclaimStale();

        Assert.False(File.Exists(path));
    }

    private static async Task<string?> ReadRemainingLineAsync(TestChild child)
    {
        try
        {
            return await child.ReadLineAsync();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
