using System.Runtime.Versioning;
using Concurrency.Processes.Internal;

namespace Concurrency.SharedMemory.Internal;

/// <summary>
/// Linux: named memory maps are not supported by .NET on Unix (MemoryMappedFile.CreateNew with a name throws
/// PlatformNotSupportedException), but two processes mapping the same file with MAP_SHARED share its pages.
/// A file in the tmpfs /dev/shm is memory that never touches a disk; other processes map it by path.
/// </summary>
/// <remarks>
/// Files are created, opened and checked by <see cref="PrivateFile"/>: mode 0600, space reserved, never through a
/// symbolic link, owner and mode checked on the descriptor that is mapped, locked by their creator for its life.
/// </remarks>
internal static partial class SegmentStore
{
    /// <summary>Gets the directory that holds our segment files.</summary>
    public static string UnixDirectory { get; } = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    /// <summary>Gets the full path of a segment file (the name is validated by the caller).</summary>
    public static string UnixPath(string name) => Path.Combine(UnixDirectory, name);

    [SupportedOSPlatform("linux")]
    private static MappedSegment CreateUnix(string name, long totalBytes)
    {
        // Reserved in full now: a sparse file on a tmpfs that fills up later would crash the process that first
        // touches a missing page (SIGBUS). The creator's lock on it lives as long as the mapping's descriptor.
        var handle = PrivateFile.CreateNamed(UnixPath(name), totalBytes);
        try
        {
            return Map(name, writable: true, owned: true, PrivateFile.Map(handle, totalBytes, writable: true));
        }
        catch
        {
            UnlinkUnix(name);
            throw;
        }
    }

    [SupportedOSPlatform("linux")]
    private static MappedSegment? TryOpenUnix(string name, bool writable)
    {
        var handle = PrivateFile.TryOpen(UnixPath(name), writable, followLink: false, SegmentHeader.Size, out var size);
        return handle is null ? null : Map(name, writable, owned: false, PrivateFile.Map(handle, size, writable));
    }

    [SupportedOSPlatform("linux")]
    private static void UnlinkUnix(string name)
    {
        try
        {
            File.Delete(UnixPath(name));
        }
        catch (IOException)
        {
            // Already gone (reclaimed by someone else): nothing to do.
        }
    }
}
