namespace Concurrency.SharedMemory.Internal;

/// <summary>Removes the segment files of owners that died without disposing them (kill -9, power cut of a container, ...).</summary>
internal static class SharedMemoryJanitor
{
    /// <summary>
    /// Deletes every file of our prefix in the shared-memory directory whose owner (pid and start time, read from
    /// the name) no longer runs. Meant to be called when a pool starts. Processes that still map such a file keep
    /// their mapping; files of live owners, of other users and of other names are left alone.
    /// </summary>
    /// <returns>The number of files deleted.</returns>
    internal static int ReclaimStale()
    {
        if (OperatingSystem.IsWindows())
        {
            return 0; // named maps vanish with their last handle
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

            try
            {
                File.Delete(path);
                deleted++;
            }
            catch (IOException)
            {
                // Deleted concurrently by another janitor.
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's file (/dev/shm is sticky): not ours to reclaim.
            }
        }

        return deleted;
    }
}
