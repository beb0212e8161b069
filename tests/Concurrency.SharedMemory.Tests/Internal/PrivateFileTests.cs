using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using Concurrency.SharedMemory.Internal;
using Concurrency.Tests;

namespace Concurrency.SharedMemory.Tests.Internal;

/// <summary>
/// Files in /dev/shm that another process of this user, another user or another container could tamper with: each
/// tampering is refused with a clear exception on open, space is reserved at creation, and the janitor deletes only
/// files it can prove abandoned.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PrivateFileTests : SharedMemoryTest
{
    [Fact]
    public void Open_SegmentNameReplacedBySymbolicLink_IsRefusedInsteadOfFollowed()
    {
        using var target = SharedArray<long>.Create(8);
        using var victim = SharedArray<long>.Create(8);
        var path = PathOf(victim);
        File.Delete(path);
        File.CreateSymbolicLink(path, PathOf(target));
        try
        {
            var ex = Assert.Throws<UnauthorizedAccessException>(() => victim.Handle.AsReadOnly().Open());
            Assert.Equal($"Refused to open '{path}': it is a symbolic link. Shared-memory files are never opened through links.", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Open_SegmentOpenToGroupOrOthers_IsRefused()
    {
        using var array = SharedArray<long>.Create(8);
        var path = PathOf(array);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var ex = Assert.Throws<UnauthorizedAccessException>(() => array.Handle.AsReadOnly().Open());

        Assert.Equal($"Refused to map '{path}': its mode 644 grants access to group or others; a file of this library has mode 600.", ex.Message);
    }

    [LinuxPrivilegeFact(LinuxPrivilege.Root)]
    public void Open_SegmentOfAnotherUser_IsRefusedEvenForRoot()
    {
        using var array = SharedArray<long>.Create(8);
        var path = PathOf(array);
        Chown(path, 65534);

        var ex = Assert.Throws<UnauthorizedAccessException>(() => array.Handle.AsReadOnly().Open());

        Assert.Equal(
            $"Refused to map '{path}': it belongs to user 65534, not to this process's user 0. Shared-memory files are only shared between processes of one user.",
            ex.Message);
    }

    [Fact]
    public void Open_SegmentTruncatedBelowItsHeader_FailsWithInvalidData()
    {
        using var array = SharedArray<long>.Create(8);
        var path = PathOf(array);
        Run("truncate", "-s", "100", path); // not a FileStream: .NET would refuse to open a file its creator holds locked

        var ex = Assert.Throws<InvalidDataException>(() => array.Handle.AsReadOnly().Open());

        Assert.Equal(
            $"The shared-memory file '{path}' holds 100 bytes; at least 4,096 are needed. It was truncated, or it is not a file of this library.",
            ex.Message);
    }

    [LinuxPrivilegeFact(LinuxPrivilege.MountNamespace)]
    public async Task Create_SharedMemoryTooFullForTheArray_FailsWithIOExceptionAndWorkersStillStartOnAFullTmpfs()
    {
        // A private 8 MiB tmpfs over /dev/shm, for the child only.
        var child = StartChildIn(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=8m tmpfs /dev/shm && exec \"$0\" \"$@\""], "full-shm");

        // The first array reserved 5 MiB: the second of 5 MiB is refused at once, with the free space in the message.
        Assert.Equal(
            "Cannot reserve 5,246,976 bytes of shared memory: /dev/shm has 3,141,632 bytes free. Reserving now is what keeps a later first touch of a " +
            "missing page from crashing the process (SIGBUS). Free shared memory (dispose unused SharedArray instances, remove stale files), use less, " +
            "or enlarge the tmpfs.",
            await child.ExpectAsync("FULL"));

        // No file was left behind by the refused array: only the first one's.
        Assert.Equal("1", await child.ExpectAsync("FILES"));

        // Then /dev/shm is filled to the last byte, and a shared-memory worker starts and runs an item.
        Assert.Equal("0", await child.ExpectAsync("LEFT"));
        Assert.Equal("40", await child.ExpectAsync("RAN"));
        Assert.Equal(0, await child.WaitForExitAsync());
    }

    [LinuxPrivilegeFact(LinuxPrivilege.PidNamespace)]
    public async Task ReclaimStale_LiveOwnerInAnotherPidNamespace_KeepsItsSegmentUntilTheOwnerDies()
    {
        // A container of the same pod: its own PID namespace (and /proc), the same /dev/shm.
        var child = StartChildIn(["unshare", "--pid", "--fork", "--mount-proc"], "create-and-hang", "16");
        var handle = TestChild.Decode(await child.ExpectAsync("CREATED"));
        var path = Path.Combine(SharedMemoryLeaks.Directory, handle.SegmentName);
        Assert.True(SegmentName.TryParseOwner(handle.SegmentName, out var pid, out var startTime));
        Assert.Equal(1, pid); // the first process of its namespace: here, pid 1 is another process
        Assert.False(ProcessIdentity.IsAlive(pid, startTime));

        SharedMemoryJanitor.ReclaimStale();
        Assert.True(File.Exists(path));
        using (var view = handle.Open())
        {
            Assert.Equal(7 * 16, view.ReadOnlySpan.ToArray().Sum());
        }

        // Killed outright (the namespace's first process, seen from here by another pid): unshare reaps it, then exits.
        var owner = File.ReadAllText($"/proc/{child.Id}/task/{child.Id}/children").Trim();
        using (var inner = Process.GetProcessById(int.Parse(owner, CultureInfo.InvariantCulture)))
        {
            inner.Kill();
        }

        Assert.NotEqual(0, await child.WaitForExitAsync());

        // Not counted: the janitor of another test process sharing /dev/shm may reclaim the file first; either way it is gone.
        SharedMemoryJanitor.ReclaimStale();
        Assert.False(File.Exists(path));
    }

    [LinuxPrivilegeFact(LinuxPrivilege.Root)]
    public void ReclaimStale_AbandonedFileOfAnotherUser_IsLeftAlone()
    {
        // An owner pid and start time that do not run, in a file of another user: not ours to delete, even as root.
        var path = Path.Combine(SharedMemoryLeaks.Directory, $"concurrency-{Environment.ProcessId}-{ProcessIdentity.CurrentStartTime + 1}-{new string('b', 32)}");
        File.WriteAllBytes(path, new byte[16]);
        try
        {
            Chown(path, 65534);

            SharedMemoryJanitor.ReclaimStale();

            Assert.True(File.Exists(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string PathOf(SharedArray<long> array) => Path.Combine(SharedMemoryLeaks.Directory, array.Handle.SegmentName);

    private static void Chown(string path, int uid) => Run("chown", uid.ToString(CultureInfo.InvariantCulture), path);

    private static void Run(string program, params string[] args)
    {
        using var process = Process.Start(program, args);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
