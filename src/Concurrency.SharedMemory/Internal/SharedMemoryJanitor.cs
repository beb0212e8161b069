using Concurrency.Processes.Internal;

namespace Concurrency.SharedMemory.Internal;

/// <summary>Removes the segment files of owners that died without disposing them (kill -9, power cut of a container, ...).</summary>
internal static class SharedMemoryJanitor
{
    /// <summary>
    /// Deletes every file of our prefix in the shared-memory directory that is provably abandoned: a regular file of
    /// this effective user whose creator's lock (<see cref="PrivateFile"/>: an exclusive flock held for the segment's
    /// life) can be taken. The pid and start time in a name only spare the lock test for owners alive in this PID
    /// namespace; they prove nothing about an owner in another PID namespace sharing /dev/shm (containers of one pod),
    /// whose pid may be absent or reused here, so only the lock decides. Meant to be called when a pool starts.
    /// Processes that still map such a file keep their mapping; files of live owners, of other users, symbolic links
    /// and files of other names are left alone.
    /// </summary>
    /// <returns>The number of files deleted.</returns>
    internal static int ReclaimStale()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0; // Windows: named maps vanish with their last handle
        }

        var deleted = 0;
        string[] paths;
        try
        {
            paths = Directory.GetFiles(SegmentStore.UnixDirectory, SegmentName.Prefix + "*");
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }

        foreach (var path in paths)
        {
            if (!SegmentName.TryParseOwner(Path.GetFileName(path), out var pid, out var startTime)
                || ProcessIdentity.IsAlive(pid, startTime))
            {
                continue;
            }

            if (PrivateFile.TryReclaim(path))
            {
                deleted++;
            }
        }

        return deleted;
    }
}
