namespace Concurrency.Conformance.Tests;

/// <summary>Signals between a test and workloads that may run in other processes: marker files in a directory.</summary>
public static class FileSignals
{
    public static void Mark(string directory, string name) => File.WriteAllBytes(Path.Combine(directory, name), []);

    public static bool IsMarked(string directory, string name) => File.Exists(Path.Combine(directory, name));

    public static int Count(string directory, string prefix) => Directory.GetFiles(directory, prefix + "*").Length;

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds: the files are the only medium shared with another process.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(5);
        }
    }
}

/// <summary>A fresh directory for one test's signals, deleted afterwards.</summary>
public sealed class SignalDirectory : IDisposable
{
    public SignalDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "concurrency-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Mark(string name) => FileSignals.Mark(Path, name);

    public int Count(string prefix) => FileSignals.Count(Path, prefix);

    public bool IsMarked(string name) => FileSignals.IsMarked(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
