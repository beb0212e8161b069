using System.IO.MemoryMappedFiles;
using System.Runtime.Versioning;

namespace Concurrency.SharedMemory.Internal;

/// <summary>
/// Unix: named memory maps are not supported by .NET on Unix (MemoryMappedFile.CreateNew with a name throws
/// PlatformNotSupportedException), but two processes mapping the same file with MAP_SHARED share its pages.
/// A file in the tmpfs /dev/shm is memory that never touches a disk; other processes map it by path.
/// </summary>
internal static partial class SegmentStore
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Gets the directory that holds our segment files.</summary>
    public static string UnixDirectory { get; } = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    /// <summary>Gets the full path of a segment file (the name is validated by the caller).</summary>
    public static string UnixPath(string name) => Path.Combine(UnixDirectory, name);

    [UnsupportedOSPlatform("windows")]
    private static MappedSegment CreateUnix(string name, long totalBytes)
    {
        var available = new DriveInfo(UnixDirectory).AvailableFreeSpace;
        if (totalBytes > available)
        {
            throw NotEnoughSpace(UnixDirectory, totalBytes, available);
        }

        var path = UnixPath(name);

        // CreateNew + UnixCreateMode: the file is born 0600 (no window in which it is world readable), and an
        // existing file of that name is never reused.
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite | FileShare.Delete,
            UnixCreateMode = OwnerOnly,
        });
        try
        {
            stream.SetLength(totalBytes); // sparse: pages are allocated on first touch
            var file = MemoryMappedFile.CreateFromFile(stream, mapName: null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            return Map(name, writable: true, owned: true, file);
        }
        catch
        {
            stream.Dispose();
            File.Delete(path);
            throw;
        }
    }

    [UnsupportedOSPlatform("windows")]
    private static MappedSegment? TryOpenUnix(string name, bool writable)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(UnixPath(name), new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = writable ? FileAccess.ReadWrite : FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
            });
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        try
        {
            if (stream.Length < SegmentHeader.Size)
            {
                throw new InvalidDataException($"The shared segment '{name}' is not a segment of this library (it is shorter than its header).");
            }

            var file = MemoryMappedFile.CreateFromFile(
                stream, mapName: null, 0, writable ? MemoryMappedFileAccess.ReadWrite : MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            return Map(name, writable, owned: false, file);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    [UnsupportedOSPlatform("windows")]
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
