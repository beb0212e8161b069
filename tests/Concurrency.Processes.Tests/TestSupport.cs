using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;
using Concurrency.Testing;
using Microsoft.Extensions.Logging;

namespace Concurrency.Processes.Tests;

internal static partial class TestSupport
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Timeout);

    public static Task Bounded(this Task task) => task.WaitAsync(Timeout);

    public static Task Bounded(this ValueTask task) => task.AsTask().WaitAsync(Timeout);

    public static Task<List<T>> ToListBounded<T>(this IAsyncEnumerable<T> source) => source.ToListAsync().AsTask().WaitAsync(Timeout);

    /// <summary>Asserts that no worker process of this test process is left (alive or zombie).</summary>
    public static void AssertNoWorkers() => Assert.Empty(LeakCheck.ChildrenWithCommandLine("--concurrency-worker"));

    /// <summary>Gets the state letter of process <paramref name="pid"/> (R, S, D, T: stopped, Z, ...), or '?' if it has gone.</summary>
    public static char ProcessState(int pid) => StateIn($"/proc/{pid}/stat");

    /// <summary>Gets the state letter of thread <paramref name="tid"/> of this process (S: asleep, e.g. blocked in a write), or '?' if it has ended.</summary>
    public static char ThreadState(int tid) => StateIn($"/proc/self/task/{tid}/stat");

    /// <summary>Gets the operating-system id of the calling thread.</summary>
    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int CurrentThreadId();

    private static char StateIn(string statPath)
    {
        try
        {
            var stat = File.ReadAllText(statPath);
            return stat[stat.LastIndexOf(')') + 2];
        }
        catch (IOException)
        {
            return '?';
        }
    }

    /// <summary>Starts the ParentProcess program owning the executor <paramref name="executor"/> (see <see cref="PoolKind.ParentArgument"/>) with two workers in <paramref name="state"/>, run by <paramref name="launch"/> (dotnet or apphost).</summary>
    public static System.Diagnostics.Process StartParentProcess(string executor, string state, string launch = "dotnet")
    {
        var parentDll = typeof(TestSupport).Assembly.GetCustomAttributes<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "ParentProcessPath").Value!;
        Assert.True(File.Exists(parentDll), $"The parent program was not built: {parentDll}");
        var dotnet = Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? Environment.ProcessPath : "dotnet";
        var info = new System.Diagnostics.ProcessStartInfo(launch == "apphost" ? Path.ChangeExtension(parentDll, null) : dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment.Remove("DOTNET_HOST_PATH");
        if (launch != "apphost")
        {
            info.ArgumentList.Add(parentDll);
        }

        info.ArgumentList.Add(executor);
        info.ArgumentList.Add("2");
        info.ArgumentList.Add(state);
        return System.Diagnostics.Process.Start(info)!;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }

    public static ProcessPoolExecutor Pool(int workers = 1, Action<ProcessPoolExecutorOptions>? configure = null, ILoggerFactory? loggers = null)
    {
        var options = WithDefaults(new ProcessPoolExecutorOptions(), workers);
        configure?.Invoke(options);
        return new ProcessPoolExecutor(options, loggers);
    }

    /// <summary>Sets the tests' defaults on <paramref name="options"/>: <paramref name="workers"/> workers, a short shutdown timeout and grace period.</summary>
    public static T WithDefaults<T>(T options, int workers)
        where T : ProcessPoolExecutorOptions
    {
        options.MaxConcurrency = workers;
        options.ShutdownTimeout = TimeSpan.FromSeconds(5);
        options.CancellationGracePeriod = TimeSpan.FromMilliseconds(300);
        return options;
    }
}

/// <summary>A logger factory that keeps every message, for tests of what reaches the logger.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((category, logLevel, formatter(state, exception)));
    }
}
