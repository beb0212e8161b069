using System.Diagnostics;
using Concurrency.Testing;

namespace Concurrency.Core.Tests.Testing;

/// <summary>The shared leak checks find what they should, so that an empty list means something.</summary>
public sealed class LeakCheckTests
{
    [Fact]
    public async Task ChildProcesses_ChildRunning_ListsItUntilReaped()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var child = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            var found = Assert.Single(LeakCheck.ChildProcesses(), c => c.Pid == child.Id);
            Assert.Equal("sleep", found.Name);
        }
        finally
        {
            child.Kill();
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.DoesNotContain(LeakCheck.ChildProcesses(), c => c.Pid == child.Id);
    }

    [Fact]
    public void SharedMemoryFiles_FileWithPrefix_IsListedUntilDeleted()
    {
        if (!Directory.Exists("/dev/shm"))
        {
            return;
        }

        var name = LeakCheck.SharedMemoryPrefix + "leakcheck-test-" + Guid.NewGuid().ToString("N");
        var path = Path.Combine("/dev/shm", name);
        File.WriteAllBytes(path, [1]);
        try
        {
            Assert.Contains(name, LeakCheck.SharedMemoryFiles());
        }
        finally
        {
            File.Delete(path);
        }

        Assert.DoesNotContain(name, LeakCheck.SharedMemoryFiles());
    }

    [Fact]
    public void ThreadNames_NamedThreadRunning_ListsItsFirst15Characters()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            started.Set();
            release.Wait(TimeSpan.FromSeconds(30));
        })
        { Name = "LeakCheckProbeThreadName", IsBackground = true };
        thread.Start();
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
        try
        {
            Assert.Equal(["LeakCheckProbeT"], LeakCheck.ThreadNames("LeakCheckProbe"));
        }
        finally
        {
            release.Set();
            Assert.True(thread.Join(TimeSpan.FromSeconds(30)));
        }
    }
}
