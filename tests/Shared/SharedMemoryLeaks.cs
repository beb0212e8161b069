using System.Globalization;

namespace Concurrency.Tests;

/// <summary>Finds the shared-memory segment files of this library that processes left behind.</summary>
/// <remarks>
/// Segment files are named <c>concurrency-&lt;owner pid&gt;-&lt;owner start time&gt;-&lt;random&gt;</c> in /dev/shm. Other test
/// runs may share the machine, so leak checks look only at the files of given owner processes (this one and the
/// children a test started), not at the whole directory.
/// </remarks>
internal static class SharedMemoryLeaks
{
    /// <summary>The prefix of every segment file of this library.</summary>
    public const string Prefix = "concurrency-";

    /// <summary>The directory that holds segment files on Linux.</summary>
    public const string Directory = "/dev/shm";

    /// <summary>Gets the names of all segment files of this library, whoever owns them.</summary>
    public static IReadOnlyList<string> AllFiles() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory, Prefix + "*").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Gets the names of the segment files created by the given processes.</summary>
    /// <param name="ownerPids">The owners; this process when empty.</param>
    public static IReadOnlyList<string> FilesOf(params int[] ownerPids)
    {
        var owners = ownerPids.Length == 0 ? [Environment.ProcessId] : ownerPids;
        var prefixes = owners.Select(pid => Prefix + pid.ToString(CultureInfo.InvariantCulture) + "-").ToArray();
        return AllFiles().Where(name => prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))).ToList();
    }

    /// <summary>Gets a description of the leaked files of the given processes, or <see langword="null"/> when there are none.</summary>
    /// <param name="ownerPids">The owners; this process when empty.</param>
    public static string? Describe(params int[] ownerPids)
    {
        var files = FilesOf(ownerPids);
        return files.Count == 0 ? null : $"{files.Count} shared-memory file(s) left in {Directory}: {string.Join(", ", files)}";
    }
}
