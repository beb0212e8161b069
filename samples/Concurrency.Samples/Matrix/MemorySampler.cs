using System.Globalization;

namespace Concurrency.Samples.Matrix;

/// <summary>
/// Measures the peak memory of this process and of every process it started (worker processes and theirs),
/// summed: the peak resident set (VmHWM of /proc/&lt;pid&gt;/status) of each process seen while it runs.
/// Linux only; elsewhere it reports nothing.
/// </summary>
/// <remarks>
/// This process's own peak is reset when the sampler starts (writing 5 to /proc/self/clear_refs), so earlier
/// runs do not count. Child processes are found through the parent id in /proc/&lt;pid&gt;/stat, polled every
/// <see cref="Interval"/>, so a process that lives for less than that may be missed.
/// </remarks>
internal sealed class MemorySampler : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly Dictionary<int, long> _peaks = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private MemorySampler()
    {
        ResetOwnPeak();
        Sample();
        _loop = LoopAsync();
    }

    /// <summary>Gets a value indicating whether memory can be measured here (/proc exists).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && File.Exists("/proc/self/status");

    /// <summary>Starts sampling.</summary>
    public static MemorySampler Start() => new();

    /// <summary>Stops sampling and returns the sum of the peaks of every process seen, and how many processes that was.</summary>
    public async Task<(long Bytes, int Processes)> StopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        Sample();
        lock (_lock)
        {
            return (_peaks.Values.Sum(), _peaks.Count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    /// <summary>Gets the ids of the descendants of <paramref name="root"/>, from the parent ids in /proc/*/stat.</summary>
    public static IReadOnlyList<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        if (!IsSupported)
        {
            return [];
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || ReadParent(pid) is not { } parent)
            {
                continue;
            }

            if (!children.TryGetValue(parent, out var list))
            {
                children[parent] = list = [];
            }

            list.Add(pid);
        }

        var result = new List<int>();
        var pending = new Queue<int>([root]);
        while (pending.TryDequeue(out var pid))
        {
            if (children.TryGetValue(pid, out var list))
            {
                foreach (var child in list)
                {
                    result.Add(child);
                    pending.Enqueue(child);
                }
            }
        }

        return result;
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(_stop.Token))
        {
            Sample();
        }
    }

    private void Sample()
    {
        if (!IsSupported)
        {
            return;
        }

        var self = Environment.ProcessId;
        foreach (var pid in Descendants(self).Prepend(self))
        {
            if (ReadPeak(pid) is { } peak)
            {
                lock (_lock)
                {
                    _peaks[pid] = Math.Max(peak, _peaks.GetValueOrDefault(pid));
                }
            }
        }
    }

    private static void ResetOwnPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Older kernels or a locked-down /proc: the peak then covers the process's whole life.
        }
    }

    /// <summary>Reads VmHWM (the peak resident set) of a process, in bytes; <see langword="null"/> if it has gone or is a zombie.</summary>
    private static long? ReadPeak(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return null;
    }

    private static int? ReadParent(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var close = stat.LastIndexOf(')');
        var rest = close < 0 ? [] : stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return rest.Length >= 2 && int.TryParse(rest[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid) ? ppid : null;
    }
}
