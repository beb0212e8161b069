using System.Runtime.InteropServices;

namespace Concurrency.SharedMemory.Internal;

/// <summary>
/// The Linux futex on a 32-bit word of a shared mapping: a sleep that another process can end, without
/// spinning a core. Shared (not FUTEX_PRIVATE) futexes are keyed by the page, so they work across processes.
/// </summary>
internal static unsafe partial class Futex
{
    private const int FutexWait = 0;
    private const int FutexWake = 1;

    private static nint s_syscallNumber = !OperatingSystem.IsLinux() || !BitConverter.IsLittleEndian
        ? -1
        : RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 202,
            Architecture.Arm64 => 98,
            _ => -1,
        };

    /// <summary>Gets a value indicating whether futexes are available; otherwise callers sleep and poll.</summary>
    public static bool IsSupported => Volatile.Read(ref s_syscallNumber) >= 0;

    /// <summary>Sleeps while <c>*address == expected</c>, at most <paramref name="timeout"/>; may wake early (spuriously).</summary>
    public static void Wait(int* address, int expected, TimeSpan timeout)
    {
        var ticks = Math.Max(timeout.Ticks, 0);
        var spec = new Timespec { Seconds = ticks / TimeSpan.TicksPerSecond, Nanoseconds = ticks % TimeSpan.TicksPerSecond * 100 };

        // -1 with EAGAIN (value changed), ETIMEDOUT or EINTR: the caller re-checks the word in every case.
        if (!TryCall(address, FutexWait, expected, &spec))
        {
            Thread.Sleep(timeout);
        }
    }

    /// <summary>Wakes up to <paramref name="count"/> sleepers on <paramref name="address"/>.</summary>
    public static void Wake(int* address, int count) => TryCall(address, FutexWake, count, null);

    private static bool TryCall(int* address, int operation, int value, Timespec* timeout)
    {
        var number = Volatile.Read(ref s_syscallNumber);
        if (number < 0)
        {
            return false;
        }

        try
        {
            _ = Syscall(number, address, operation, value, timeout, null, 0);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No usable libc syscall(): waiters fall back to sleeping and polling (they re-check on every wake anyway).
            Volatile.Write(ref s_syscallNumber, -1);
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial nint Syscall(nint number, int* address, int operation, int value, Timespec* timeout, int* address2, int value3);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
