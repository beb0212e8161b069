using System.Globalization;

namespace Concurrency.Tests.Shared;

/// <summary>Lists processes by parent, from /proc, to check that tests leave no child process behind.</summary>
public static class ProcessLeaks
{
    /// <summary>Returns the ids of the live children (zombies included) of <paramref name="parentPid"/>.</summary>
    public static IReadOnlyList<int> ChildrenOf(int parentPid)
    {
        var children = new List<int>();
        if (!Directory.Exists("/proc"))
        {
            return children;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (ParentOf(pid) == parentPid)
            {
                children.Add(pid);
            }
        }

        return children;
    }

    /// <summary>Returns the parent id of <paramref name="pid"/>, or null if it has gone.</summary>
    public static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");

            // pid (comm) state ppid ...: comm may hold spaces and parentheses, so parse after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Returns whether process <paramref name="pid"/> exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[stat.LastIndexOf(')') + 2];
            return state != 'Z' && state != 'X';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Returns the children of this process whose command line contains <paramref name="marker"/>.</summary>
    public static IReadOnlyList<int> ChildrenWithCommandLine(string marker) =>
        [.. ChildrenOf(Environment.ProcessId).Where(pid => CommandLine(pid).Contains(marker, StringComparison.Ordinal))];

    /// <summary>Returns the command line of <paramref name="pid"/> with arguments separated by spaces, or an empty string.</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>Lists the files in /dev/shm whose names start with <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<string> ShmFiles(string prefix) =>
        Directory.Exists("/dev/shm") ? [.. Directory.EnumerateFiles("/dev/shm", prefix + "*")] : [];
}
