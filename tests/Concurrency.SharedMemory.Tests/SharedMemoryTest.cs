using Concurrency.Tests;

namespace Concurrency.SharedMemory.Tests;

/// <summary>Base of the shared-memory tests: after each test, no child process runs and no segment file of ours remains.</summary>
public abstract class SharedMemoryTest : IAsyncLifetime
{
    private readonly List<TestChild> _children = [];

    internal TestChild StartChild(params string[] args) => StartChildIn([], args);

    /// <summary>Starts a child through a wrapper program (e.g. unshare); see <see cref="TestChild.StartIn"/>.</summary>
    internal TestChild StartChildIn(IReadOnlyList<string> wrapper, params string[] args)
    {
        var child = TestChild.StartIn(wrapper, args);
        _children.Add(child);
        return child;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var child in _children)
        {
            await child.DisposeAsync();
        }

        var owners = _children.Select(c => c.Id).Append(Environment.ProcessId).ToArray();
        Assert.Null(SharedMemoryLeaks.Describe(owners));
        Assert.Empty(LiveChildren());
    }

    /// <summary>The processes whose parent is this one (Linux /proc), other than zombies being reaped.</summary>
    internal static IReadOnlyList<int> LiveChildren()
    {
        var children = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }

            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[1] == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) && fields[0] != "Z")
            {
                children.Add(pid);
            }
        }

        return children;
    }
}

/// <summary>A fact that needs <see cref="Bytes"/> of free shared memory; skipped when the machine lacks them.</summary>
public sealed class SharedMemoryFactAttribute : FactAttribute
{
    public SharedMemoryFactAttribute(long gibibytes)
    {
        var available = Directory.Exists(SharedMemoryLeaks.Directory) ? new DriveInfo(SharedMemoryLeaks.Directory).AvailableFreeSpace : 0;
        if (available < (gibibytes + 1) << 30)
        {
            Skip = $"Needs {gibibytes + 1} GiB free in {SharedMemoryLeaks.Directory}; {available:N0} bytes are free.";
        }
    }
}

/// <summary>What a Linux test needs beyond a user account; the test is skipped, with the reason, where it is not available.</summary>
public enum LinuxPrivilege
{
    /// <summary>Root (to give a file to another user).</summary>
    Root,

    /// <summary>A private mount namespace with a tmpfs mounted in it (unshare -m, mount -t tmpfs).</summary>
    MountNamespace,

    /// <summary>A separate PID namespace with its own /proc (unshare --pid --fork --mount-proc).</summary>
    PidNamespace,
}

/// <summary>A fact that needs a <see cref="LinuxPrivilege"/>; probed once per run, skipped with the reason where it is missing.</summary>
public sealed class LinuxPrivilegeFactAttribute : FactAttribute
{
    private static readonly Dictionary<LinuxPrivilege, string?> Missing = [];

    public LinuxPrivilegeFactAttribute(LinuxPrivilege privilege)
    {
        lock (Missing)
        {
            if (!Missing.TryGetValue(privilege, out var reason))
            {
                Missing[privilege] = reason = Probe(privilege);
            }

            Skip = reason;
        }
    }

    private static string? Probe(LinuxPrivilege privilege)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "Linux only.";
        }

        if (privilege == LinuxPrivilege.Root)
        {
            var uid = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[2];
            return uid == "0" ? null : $"Needs root (to give a file to another user); the effective uid is {uid}.";
        }

        string[] command = privilege == LinuxPrivilege.MountNamespace
            ? ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /dev/shm"]
            : ["unshare", "--pid", "--fork", "--mount-proc", "true"];
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo(command[0]) { RedirectStandardError = true, UseShellExecute = false };
            foreach (var part in command.Skip(1))
            {
                start.ArgumentList.Add(part);
            }

            using var process = System.Diagnostics.Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"'{string.Join(' ', command)}' is not permitted here (exit {process.ExitCode}: {error.Trim()}).";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"'{command[0]}' cannot be run here: {ex.Message}";
        }
    }
}
