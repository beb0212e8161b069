using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Concurrency.Processes.Worker;

/// <summary>
/// Takes the worker's stdin and stdout for the protocol, and gives the workload harmless ones instead.
/// </summary>
/// <remarks>
/// On Unix the protocol ends are duplicated to new, close-on-exec descriptors; descriptor 0 then reads
/// /dev/null and descriptor 1 points at stderr. Whatever the workload prints — through
/// <see cref="Console"/>, native code, or a child process it starts — lands on stderr, which the pool
/// forwards to its logger, and can neither corrupt nor read the protocol.
/// </remarks>
internal static partial class WorkerStdio
{
    private const int FDupFdCloexec = 1030;
    private const int ORdOnly = 0;
    private const int OCloexec = 0x80000;

    public static (Stream Input, Stream Output) TakeProtocolStreams()
    {
        if (OperatingSystem.IsWindows())
        {
            var input = Console.OpenStandardInput();
            var output = Console.OpenStandardOutput();
            Console.SetOut(Console.Error);
            Console.SetIn(TextReader.Null);
            return (input, output);
        }

        var inFd = Check(Fcntl(0, FDupFdCloexec, 3), "dup stdin");
        var outFd = Check(Fcntl(1, FDupFdCloexec, 3), "dup stdout");
        var devNull = Check(Open("/dev/null", ORdOnly | OCloexec), "open /dev/null");
        Check(Dup2(devNull, 0), "redirect stdin");
        _ = Close(devNull);
        Check(Dup2(2, 1), "redirect stdout");
        return (
            new FileStream(new SafeFileHandle(inFd, ownsHandle: true), FileAccess.Read, bufferSize: 0),
            new FileStream(new SafeFileHandle(outFd, ownsHandle: true), FileAccess.Write, bufferSize: 0));
    }

    /// <summary>Ends the process at once, without running anything else: the parent is gone.</summary>
    public static void ExitNow(int code)
    {
        if (!OperatingSystem.IsWindows())
        {
            SysExit(code);
        }

        Environment.Exit(code);
    }

    /// <summary>The environment variable in which the pool passes its process id to the workers it starts.</summary>
    public const string ParentVariable = "CONCURRENCY_WORKER_PARENT_PID";

    /// <summary>
    /// Exits as soon as the pool that started this worker is gone (Unix): at once if it died before this worker ran
    /// (the worker was already re-parented, so its parent is not the pid the pool passed), else within 50 ms of its
    /// death, whatever the worker is doing (starting the runtime's services, running its initializer, or a batch).
    /// </summary>
    public static void WatchParent()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var passed = Environment.GetEnvironmentVariable(ParentVariable);
        Environment.SetEnvironmentVariable(ParentVariable, null);
        var parent = int.TryParse(passed, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : GetParentPid();
        if (GetParentPid() != parent)
        {
            ExitNow(WorkerProgram.ParentGone);
        }

        var thread = new Thread(() =>
        {
            while (GetParentPid() == parent)
            {
                Thread.Sleep(50);
            }

            ExitNow(WorkerProgram.ParentGone);
        })
        {
            IsBackground = true,
            Name = "Concurrency worker parent watch",
        };
        thread.Start();
    }

    private static int Check(int result, string what) =>
        result >= 0 ? result : throw new IOException($"The worker could not {what}: errno {Marshal.GetLastPInvokeError()}.");

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Dup2(int oldFd, int newFd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "getppid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int GetParentPid();

    [LibraryImport("libc", EntryPoint = "_exit")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial void SysExit(int code);
}
