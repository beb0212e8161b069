using System.IO.MemoryMappedFiles;
using System.Runtime.Versioning;

namespace Concurrency.SharedMemory.Internal;

/// <summary>
/// Windows: a named, page-file backed map. It exists while any process holds a handle to it, so the owner's
/// dispose plus every worker letting go removes it; no file is left behind by a process that dies.
/// </summary>
/// <remarks>Compiled everywhere, exercised only on Windows (not covered by this repository's Linux test runs).</remarks>
internal static partial class SegmentStore
{
    private const string WindowsNamespace = "Local\\";

    [SupportedOSPlatform("windows")]
    private static MappedSegment CreateWindows(string name, long totalBytes)
    {
        var file = MemoryMappedFile.CreateNew(WindowsNamespace + name, totalBytes, MemoryMappedFileAccess.ReadWrite);
        return Map(name, writable: true, owned: true, file);
    }

    [SupportedOSPlatform("windows")]
    private static MappedSegment? TryOpenWindows(string name, bool writable)
    {
        MemoryMappedFile file;
        try
        {
            file = MemoryMappedFile.OpenExisting(
                WindowsNamespace + name,
                writable ? MemoryMappedFileRights.ReadWrite : MemoryMappedFileRights.Read,
                HandleInheritability.None);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        return Map(name, writable, owned: false, file);
    }
}
