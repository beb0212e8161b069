using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Concurrency.Processes.Internal;

/// <summary>
/// The one place where files that two processes map are created, opened and checked on Linux: shared-memory segments,
/// the rings of shared-memory workers and the progress regions of process-pool workers.
/// </summary>
/// <remarks>
/// <para>
/// <b>Created</b> with mode 0600 from birth, never over an existing file, never through a symbolic link, and with its
/// space reserved at once (<c>posix_fallocate</c>): a sparse file on a full tmpfs would crash whichever process first
/// touched a missing page (SIGBUS); a reservation that does not fit fails here, with the free space in the message, and
/// leaves no file behind.
/// </para>
/// <para>
/// A <b>named</b> file (<see cref="CreateNamed"/>) is locked by its creator (<c>flock</c>, exclusive) for as long as the
/// creator keeps it open. A flock belongs to the open file description, so it holds whatever other descriptors the
/// process opens and closes, it is released by the kernel when the creator dies, and it is seen from every PID namespace
/// that shares the file system: <see cref="TryReclaim"/> deletes a file only when it can take that lock.
/// </para>
/// <para>
/// An <b>anonymous</b> memory file (<see cref="CreateAnonymous"/>, <c>memfd_create</c>) has no name in any file system
/// and is sealed against shrinking and growing (<c>F_SEAL_SHRINK | F_SEAL_GROW</c>, then <c>F_SEAL_SEAL</c>): a process
/// it is shared with can write its bytes but cannot truncate it under the creator's mapping, which would make the
/// creator fault (SIGBUS) on its next access. Named files in /dev/shm cannot be sealed.
/// </para>
/// <para>
/// <b>Opened</b> (<see cref="TryOpen"/>) without following a symbolic link in the last component, then checked on the
/// descriptor that is mapped, so that nothing can be swapped in between the check and the use: a regular file, owned by
/// this process's effective user, with no permission for group or others, at least as large as the caller needs.
/// </para>
/// </remarks>
[SupportedOSPlatform("linux")]
internal static unsafe partial class PrivateFile
{
    /// <summary>The only mode a private file may have: read and write for its owner.</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const int ReadOnly = 0x0;
    private const int ReadWrite = 0x2;
    private const int Create = 0x40;
    private const int Exclusive = 0x80;
    private const int NonBlocking = 0x800;
    private const int NoFollow = 0x20000;
    private const int CloseOnExec = 0x80000;

    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    private const uint MemfdCloseOnExec = 1;
    private const uint MemfdAllowSealing = 2;
    private const int AddSeals = 1033;
    private const int SealSeal = 1;
    private const int SealShrink = 2;
    private const int SealGrow = 4;

    private const int NoSuchFile = 2;
    private const int NoSpace = 28;
    private const int NotSupported = 95;
    private const int TooManyLinks = 40;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int GroupOrOther = 0x3F;

    /// <summary>
    /// Creates the file <paramref name="path"/> of <paramref name="size"/> bytes, reserved, mode 0600, locked by this
    /// process for as long as the returned handle is open.
    /// </summary>
    /// <exception cref="IOException">The file exists, the directory lacks the space, or another error of the file system.</exception>
    public static SafeFileHandle CreateNamed(string path, long size)
    {
        var handle = OpenOrThrow(path, ReadWrite | Create | Exclusive | NoFollow | CloseOnExec, (int)Mode);
        try
        {
            // The new file is ours from its first instant: a janitor that proves files abandoned by taking this lock
            // could only have taken it in the few instructions since the open; then the name is given up.
            if (Flock(Fd(handle), LockExclusive | LockNonBlocking) != 0)
            {
                throw new IOException($"The new shared-memory file '{path}' was locked by another process before its creator could lock it; try again.");
            }

            Reserve(handle, size, Path.GetDirectoryName(path));
            return handle;
        }
        catch
        {
            handle.Dispose();
            _ = Unlink(path);
            throw;
        }
    }

    /// <summary>
    /// Creates an anonymous memory file of <paramref name="size"/> bytes, reserved, mode 0600, sealed against shrinking
    /// and growing. Another process of the same user opens it through <see cref="PathOf"/> while the handle is open.
    /// </summary>
    /// <param name="name">The name shown in /proc/&lt;pid&gt;/maps and /proc/&lt;pid&gt;/fd (for diagnostics only).</param>
    /// <param name="size">The file's size in bytes.</param>
    /// <exception cref="IOException">The system cannot create, reserve or seal the memory file.</exception>
    public static SafeFileHandle CreateAnonymous(string name, long size)
    {
        int fd;
        try
        {
            fd = MemfdCreate(name, MemfdCloseOnExec | MemfdAllowSealing);
        }
        catch (EntryPointNotFoundException ex)
        {
            throw new IOException("This system's C library has no memfd_create (Linux 3.17, glibc 2.27): anonymous shared memory is not available.", ex);
        }

        if (fd < 0)
        {
            throw Failure($"Cannot create an anonymous memory file of {size:N0} bytes", Marshal.GetLastPInvokeError());
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (FChmod(fd, (uint)Mode) != 0)
            {
                throw Failure("Cannot make an anonymous memory file private to its owner", Marshal.GetLastPInvokeError());
            }

            Reserve(handle, size, where: null);
            if (Fcntl(fd, AddSeals, SealShrink | SealGrow | SealSeal) != 0)
            {
                throw Failure("Cannot seal an anonymous memory file against truncation", Marshal.GetLastPInvokeError());
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Gets the path through which another process of this user opens the anonymous file <paramref name="handle"/> of this process.</summary>
    public static string PathOf(SafeFileHandle handle) =>
        string.Create(CultureInfo.InvariantCulture, $"/proc/{Environment.ProcessId}/fd/{handle.DangerousGetHandle()}");

    /// <summary>
    /// Opens an existing private file for mapping and checks it on the opened descriptor: a regular file, owned by this
    /// effective user, mode without group or other bits, at least <paramref name="minimumSize"/> bytes.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="writable">Whether to open it for reading and writing (else for reading).</param>
    /// <param name="followLink">
    /// Whether a symbolic link in the last component is followed: only for a path this process was given by the
    /// process that created the file (an anonymous file's /proc/&lt;pid&gt;/fd/&lt;n&gt; is such a link); never for a name in a
    /// shared directory.
    /// </param>
    /// <param name="minimumSize">The fewest bytes the caller will map.</param>
    /// <param name="size">The file's size, as seen on the opened descriptor (what may be mapped).</param>
    /// <returns>The open file, or <see langword="null"/> when no file of that name exists.</returns>
    /// <exception cref="UnauthorizedAccessException">The file is a symbolic link, not a regular file, another user's, or open to group or others.</exception>
    /// <exception cref="InvalidDataException">The file is shorter than <paramref name="minimumSize"/>.</exception>
    public static SafeFileHandle? TryOpen(string path, bool writable, bool followLink, long minimumSize, out long size)
    {
        var fd = Open(path, (writable ? ReadWrite : ReadOnly) | CloseOnExec | (followLink ? 0 : NoFollow), 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            size = 0;
            return errno == NoSuchFile ? null : throw OpenFailure(path, errno);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var status = Stat(handle, path);
            if ((status.Mode & FileTypeMask) != RegularFile)
            {
                throw new UnauthorizedAccessException($"Refused to map '{path}': it is not a regular file (mode {Convert.ToString(status.Mode, 8)}). Only files created by this library are mapped.");
            }

            if (status.Owner != Geteuid())
            {
                throw new UnauthorizedAccessException(
                    $"Refused to map '{path}': it belongs to user {status.Owner}, not to this process's user {Geteuid()}. " +
                    "Shared-memory files are only shared between processes of one user.");
            }

            if ((status.Mode & GroupOrOther) != 0)
            {
                throw new UnauthorizedAccessException(
                    string.Create(CultureInfo.InvariantCulture, $"Refused to map '{path}': its mode {Convert.ToString(status.Mode & 0xFFF, 8)} grants access to group or others; a file of this library has mode 600."));
            }

            if (status.Size < minimumSize)
            {
                throw new InvalidDataException($"The shared-memory file '{path}' holds {status.Size:N0} bytes; at least {minimumSize:N0} are needed. It was truncated, or it is not a file of this library.");
            }

            size = status.Size;
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Maps <paramref name="size"/> bytes of an open private file; the mapping owns the handle from then on.</summary>
    public static MemoryMappedFile Map(SafeFileHandle handle, long size, bool writable)
    {
        try
        {
            return MemoryMappedFile.CreateFromFile(
                handle, mapName: null, size, writable ? MemoryMappedFileAccess.ReadWrite : MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Deletes <paramref name="path"/> if it is provably abandoned: a regular file of this effective user (not followed
    /// if it is a symbolic link) whose creator's lock can be taken, i.e. no live process holds it open as its creator.
    /// </summary>
    /// <returns>Whether the file was deleted.</returns>
    public static bool TryReclaim(string path)
    {
        var fd = Open(path, ReadOnly | NoFollow | NonBlocking | CloseOnExec, 0);
        if (fd < 0)
        {
            return false;
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var status = Stat(handle, path);
            if ((status.Mode & FileTypeMask) != RegularFile || status.Owner != Geteuid())
            {
                return false;
            }
        }
        catch (IOException)
        {
            return false;
        }

        // Released when the descriptor closes (at the end of this method): the file has no creator any more.
        return Flock(fd, LockExclusive | LockNonBlocking) == 0 && Unlink(path) == 0;
    }

    private static void Reserve(SafeFileHandle handle, long size, string? where)
    {
        var error = PosixFallocate(Fd(handle), 0, size);
        if (error == NotSupported)
        {
            // A file system that cannot reserve (not tmpfs, which can): at least give the file its size.
            RandomAccess.SetLength(handle, size);
            return;
        }

        if (error == NoSpace)
        {
            var free = where is null ? "the system is out of memory for it" : $"{where} has {new DriveInfo(where).AvailableFreeSpace:N0} bytes free";
            throw new IOException(
                $"Cannot reserve {size:N0} bytes of shared memory: {free}. Reserving now is what keeps a later first touch of a " +
                "missing page from crashing the process (SIGBUS). Free shared memory (dispose unused SharedArray instances, " +
                "remove stale files), use less, or enlarge the tmpfs.");
        }

        if (error != 0)
        {
            throw Failure($"Cannot reserve {size:N0} bytes of shared memory", error);
        }
    }

    private static (int Mode, uint Owner, long Size) Stat(SafeFileHandle handle, string path)
    {
        var buffer = stackalloc byte[256];
        if (Statx(Fd(handle), string.Empty, AtEmptyPath, StatxBasicStats, buffer) != 0)
        {
            throw Failure($"Cannot read the status of '{path}'", Marshal.GetLastPInvokeError());
        }

        // struct statx has one layout on every architecture: stx_uid at 20, stx_mode (16 bits) at 28, stx_size at 40.
        return (*(ushort*)(buffer + 28), *(uint*)(buffer + 20), *(long*)(buffer + 40));
    }

    private static SafeFileHandle OpenOrThrow(string path, int flags, int mode)
    {
        var fd = Open(path, flags, mode);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw OpenFailure(path, Marshal.GetLastPInvokeError());
    }

    private static Exception OpenFailure(string path, int errno) => errno switch
    {
        TooManyLinks => new UnauthorizedAccessException($"Refused to open '{path}': it is a symbolic link. Shared-memory files are never opened through links."),
        13 or 1 => new UnauthorizedAccessException($"Cannot open '{path}': permission denied. It belongs to another user, or its mode does not allow this process to open it."),
        17 => new IOException($"Cannot create '{path}': a file of that name exists."),
        _ => Failure($"Cannot open '{path}'", errno),
    };

    private static IOException Failure(string what, int errno) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})."));

    private static int Fd(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Unlink(string path);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "posix_fallocate")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int PosixFallocate(int fd, long offset, long length);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial uint Geteuid();

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int FChmod(int fd, uint mode);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Fcntl(int fd, int command, int argument);
}
