using System.Runtime.InteropServices;

namespace Concurrency.SharedMemory.Transport;

/// <summary>
/// Linux futexes on 32-bit words of a shared mapping: a sleeping wait that another process wakes, with no
/// core spinning. Shared (non-private) futexes key on the physical page, so they work across processes that
/// map the same file at different addresses.
/// </summary>
internal static unsafe partial class Futex
{
    private const int FutexWait = 0;
    private const int FutexWake = 1;
    private const long SysFutexX64 = 202;
    private const long SysFutexArm64 = 98;

    /// <summary>Gets a value indicating whether futexes are available here (Linux on x64 or Arm64).</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux() &&
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    private static long SysFutex => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? SysFutexArm64 : SysFutexX64;

    /// <summary>Sleeps while <c>*address == expected</c>, at most <paramref name="timeout"/>; returns at once if the word differs.</summary>
    public static void Wait(int* address, int expected, TimeSpan timeout)
    {
        var spec = new TimeSpec
        {
            Seconds = (long)timeout.TotalSeconds,
            Nanoseconds = (timeout.Ticks % TimeSpan.TicksPerSecond) * 100,
        };

        // EAGAIN (the word changed), EINTR (a signal) and ETIMEDOUT all mean "look again"; the caller loops.
        _ = Syscall(SysFutex, (nint)address, FutexWait, expected, (nint)(&spec), 0, 0);
    }

    /// <summary>Wakes up to <paramref name="count"/> waiters on <paramref name="address"/>.</summary>
    public static void Wake(int* address, int count = int.MaxValue) =>
        _ = Syscall(SysFutex, (nint)address, FutexWake, count, 0, 0, 0);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, nint address, int op, int value, nint timeout, nint address2, int value3);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
