using System.Globalization;

namespace Concurrency.Testing;

/// <summary>
/// Finds what a test may have left behind: child processes of this process, files in /dev/shm named
/// <c>concurrency-*</c>, and threads by name. Linux only (reads /proc); elsewhere every list is empty.
/// Dependency-free: this file is compiled into every test project.
/// </summary>
internal static class LeakCheck
{
    /// <summary>The prefix of every shared-memory file the library creates.</summary>
    public const string SharedMemoryPrefix = "concurrency-";

    private const string ShmDirectory = "/dev/shm";

    /// <summary>A process whose parent is this process.</summary>
    /// <param name="Pid">The process id.</param>
    /// <param name="Name">The command name (comm, at most 15 characters).</param>
    /// <param name="State">The state letter of /proc/pid/stat: R, S, D, Z (zombie: exited, not yet reaped), ...</param>
    public readonly record struct ChildProcess(int Pid, string Name, char State)
    {
        public override string ToString() => $"{Pid} ({Name}) {State}";
    }

    /// <summary>Gets the child processes of the current process (zombies included).</summary>
    public static IReadOnlyList<ChildProcess> ChildProcesses() => ChildProcesses(Environment.ProcessId);

    /// <summary>Gets the child processes of <paramref name="parentPid"/> (zombies included).</summary>
    public static IReadOnlyList<ChildProcess> ChildProcesses(int parentPid)
    {
        var children = new List<ChildProcess>();
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc"))
        {
            return children;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (TryReadStat(Path.Combine(dir, "stat"), out var name, out var state, out var ppid) && ppid == parentPid)
            {
                children.Add(new ChildProcess(pid, name, state));
            }
        }

        return children;
    }

    /// <summary>Gets the children of <paramref name="parentPid"/> (this process by default) whose command line contains <paramref name="marker"/>.</summary>
    public static IReadOnlyList<int> ChildrenWithCommandLine(string marker, int? parentPid = null) =>
        [.. ChildProcesses(parentPid ?? Environment.ProcessId).Select(c => c.Pid).Where(pid => CommandLine(pid).Contains(marker, StringComparison.Ordinal))];

    /// <summary>Gets the parent id of <paramref name="pid"/>, or null if it has gone.</summary>
    public static int? ParentOf(int pid) =>
        TryReadStat($"/proc/{pid}/stat", out _, out _, out var ppid) ? ppid : null;

    /// <summary>Gets a value indicating whether process <paramref name="pid"/> exists and is not a zombie.</summary>
    public static bool IsAlive(int pid) =>
        TryReadStat($"/proc/{pid}/stat", out _, out var state, out _) && state is not 'Z' and not 'X';

    /// <summary>Gets the command line of <paramref name="pid"/>, arguments separated by spaces, or an empty string.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>Gets the names of the files in /dev/shm whose names start with <see cref="SharedMemoryPrefix"/>.</summary>
    public static IReadOnlyList<string> SharedMemoryFiles() => SharedMemoryFiles(SharedMemoryPrefix);

    /// <summary>Gets the names of the files in /dev/shm whose names start with <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<string> SharedMemoryFiles(string prefix)
    {
        if (!Directory.Exists(ShmDirectory))
        {
            return [];
        }

        var files = new List<string>();
        foreach (var path in Directory.EnumerateFiles(ShmDirectory))
        {
            var name = Path.GetFileName(path);
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                files.Add(name);
            }
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>
    /// Gets the operating-system names (comm) of this process's threads that start with <paramref name="prefix"/>.
    /// Linux cuts thread names to 15 characters: compare against a prefix of at most that length.
    /// </summary>
    public static IReadOnlyList<string> ThreadNames(string prefix)
    {
        var names = new List<string>();
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/task"))
        {
            return names;
        }

        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string comm;
            try
            {
                comm = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // The thread ended while we looked.
            }

            if (comm.StartsWith(prefix, StringComparison.Ordinal))
            {
                names.Add(comm);
            }
        }

        return names;
    }

    /// <summary>Parses /proc/pid/stat: "pid (comm) state ppid ...", where comm may hold spaces and parentheses.</summary>
    private static bool TryReadStat(string path, out string name, out char state, out int ppid)
    {
        name = string.Empty;
        state = '?';
        ppid = -1;
        string stat;
        try
        {
            stat = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // The process ended while we looked.
        }

        var open = stat.IndexOf('(', StringComparison.Ordinal);
        var close = stat.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            return false;
        }

        name = stat[(open + 1)..close];
        var rest = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length < 2 || rest[0].Length != 1)
        {
            return false;
        }

        state = rest[0][0];
        return int.TryParse(rest[1], NumberStyles.None, CultureInfo.InvariantCulture, out ppid);
    }
}
