using System.IO.MemoryMappedFiles;

namespace Concurrency.SharedMemory.Internal;

/// <summary>Creates, maps and removes the OS objects behind segments: files in /dev/shm on Linux, named maps on Windows.</summary>
internal static partial class SegmentStore
{
    /// <summary>Creates a segment named <paramref name="name"/> of <paramref name="totalBytes"/> bytes (header included), mapped read-write.</summary>
    /// <exception cref="IOException">There is not enough free shared memory (the space is reserved when the segment is created).</exception>
    public static MappedSegment Create(string name, long totalBytes)
    {
        return OperatingSystem.IsWindows() ? CreateWindows(name, totalBytes) : OperatingSystem.IsLinux() ? CreateUnix(name, totalBytes) : throw Unsupported();
    }

    /// <summary>Maps an existing segment.</summary>
    /// <returns>The mapping, or <see langword="null"/> when no segment of that name exists (any more).</returns>
    public static MappedSegment? TryOpen(string name, bool writable)
    {
        return OperatingSystem.IsWindows() ? TryOpenWindows(name, writable) : OperatingSystem.IsLinux() ? TryOpenUnix(name, writable) : throw Unsupported();
    }

    /// <summary>Removes the segment's name so that nobody can open it again; existing mappings stay valid.</summary>
    public static void Unlink(string name)
    {
        if (OperatingSystem.IsLinux())
        {
            UnlinkUnix(name);
        }

        // Windows: a named map lives as long as a handle to it is open; the owner's handle goes with its mapping.
    }

    private static MappedSegment Map(string name, bool writable, bool owned, MemoryMappedFile file)
    {
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, 0, writable ? MemoryMappedFileAccess.ReadWrite : MemoryMappedFileAccess.Read);
            return new MappedSegment(name, writable, owned, file, view);
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    private static PlatformNotSupportedException Unsupported() => new("Shared arrays need Linux (files in /dev/shm) or Windows (named maps).");
}
