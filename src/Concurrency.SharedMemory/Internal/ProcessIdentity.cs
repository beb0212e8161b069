using System.Diagnostics;
using System.Globalization;

namespace Concurrency.SharedMemory.Internal;

/// <summary>
/// Identifies a process across time: its id plus its start time, so that a recycled pid is not taken for
/// the process that used it before.
/// </summary>
/// <remarks>
/// On Linux the start time is field 22 of <c>/proc/&lt;pid&gt;/stat</c> (clock ticks since boot), which is cheap
/// to read for any process of the machine. On Windows it is <see cref="Process.StartTime"/> in file-time ticks.
/// </remarks>
internal static class ProcessIdentity
{
    private static readonly Lazy<long> CurrentStart = new(() => GetStartTime(Environment.ProcessId) ?? 0);

    /// <summary>Gets the id of the current process.</summary>
    public static int CurrentId => Environment.ProcessId;

    /// <summary>Gets the start time of the current process, in the units of <see cref="GetStartTime"/>.</summary>
    public static long CurrentStartTime => CurrentStart.Value;

    /// <summary>Whether process <paramref name="pid"/> is running and started at <paramref name="startTime"/>.</summary>
    /// <param name="pid">The process id.</param>
    /// <param name="startTime">The start time recorded when the process was alive.</param>
    /// <param name="startTimeMask">Bits of the start time to compare (a lock word keeps only the low 32 bits).</param>
    /// <returns><see langword="false"/> when the process is gone, a zombie, or a different process that reuses the id.</returns>
    public static bool IsAlive(int pid, long startTime, long startTimeMask = -1)
    {
        if (pid <= 0)
        {
            return false;
        }

        var actual = GetStartTime(pid);
        return actual is { } value && (value & startTimeMask) == (startTime & startTimeMask);
    }

    /// <summary>Gets the start time of a running process.</summary>
    /// <param name="pid">The process id.</param>
    /// <returns>The start time, or <see langword="null"/> when no such live (non-zombie) process exists.</returns>
    public static long? GetStartTime(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            return GetLinuxStartTime(pid);
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : process.StartTime.ToUniversalTime().ToFileTimeUtc();
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static long? GetLinuxStartTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid ..." — comm may hold spaces and parentheses, so parse after the last ')'.
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // fields[0] is field 3 (state); starttime is field 22, i.e. fields[19].
        if (fields.Length < 20 || fields[0] is "Z" or "X" or "x")
        {
            return null;
        }

        return long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : null;
    }
}
