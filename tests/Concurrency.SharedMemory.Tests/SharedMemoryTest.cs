using Concurrency.Tests;

namespace Concurrency.SharedMemory.Tests;

/// <summary>Base of the shared-memory tests: after each test, no child process runs and no segment file of ours remains.</summary>
public abstract class SharedMemoryTest : IAsyncLifetime
{
    private readonly List<TestChild> _children = [];

    internal TestChild StartChild(params string[] args)
    {
        var child = TestChild.Start(args);
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
