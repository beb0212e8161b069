using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;

namespace Concurrency.Processes.Internal;

/// <summary>
/// A small memory-mapped region shared by the pool and one worker, where each of the worker's threads
/// publishes which item it is running and whether that item ran to the end. It costs two stores per item and no
/// system call, and it is what lets the pool, when a worker dies, fail exactly the item that was running, never run
/// again an item that ran to the end, and send the items that never started to another worker. (Item timeouts do not
/// read it: they run on the results the pool receives, which the worker cannot forge.)
/// </summary>
/// <remarks>
/// <para>
/// Layout: one 64-byte slot per worker thread (no false sharing); in each, at offset 0 the item token
/// <c>(seq &lt;&lt; 32) | (position &lt;&lt; 1) | done</c>, written by the worker; at offset 16 the seq of a batch the
/// pool wants cancelled, written by the pool and polled by the worker's watchdog (the worker's reader thread may be
/// running the batch itself).
/// </para>
/// <para>
/// On Linux the backing file is an anonymous memory file (<c>memfd_create</c>, mode 0600): it has no name in any
/// file system, the worker opens it through <c>/proc/&lt;pool pid&gt;/fd/&lt;n&gt;</c> (which the kernel lets
/// only the same user open), and it vanishes with the last process that maps it — nothing is ever left in
/// /dev/shm, even when the pool is killed. Elsewhere it is a mode-0600 file with an unguessable name in the
/// temporary folder, unlinked as soon as the worker has mapped it.
/// </para>
/// </remarks>
internal sealed unsafe class ProgressRegion : IDisposable
{
    private const int SlotSize = 64;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly int _slots;
    private int _disposed;

    private ProgressRegion(string path, MemoryMappedFile file, int slots)
    {
        Path = path;
        _file = file;
        _slots = slots;
        _view = file.CreateViewAccessor(0, (long)slots * SlotSize, MemoryMappedFileAccess.ReadWrite);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    /// <summary>Gets the path of the backing file (unlinked once the worker has mapped it).</summary>
    public string Path { get; }

    /// <summary>The prefix of progress file names (and of the memory file's name on Linux), for leak checks.</summary>
    public const string FilePrefix = "concurrency-progress-";

    /// <summary>Creates a region of <paramref name="slots"/> slots, private to the current user.</summary>
    /// <exception cref="IOException">The system cannot create or reserve the memory.</exception>
    public static ProgressRegion Create(int slots)
    {
        var size = (long)slots * SlotSize;
        if (OperatingSystem.IsLinux())
        {
            // Sealed against truncation: a worker that shrank the file would make every read of the pool fault.
            var handle = PrivateFile.CreateAnonymous(FilePrefix.TrimEnd('-'), size);
            return Mapped(PrivateFile.PathOf(handle), PrivateFile.Map(handle, size, writable: true), slots);
        }

        var filePath = System.IO.Path.Combine(System.IO.Path.GetTempPath(), FilePrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(filePath, options);
        try
        {
            stream.SetLength(size);
            var file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            return new ProgressRegion(filePath, file, slots);
        }
        catch
        {
            stream.Dispose();
            TryDelete(filePath);
            throw;
        }
    }

    /// <summary>Maps an existing region (in the worker), then unlinks its file.</summary>
    public static ProgressRegion Open(string path, int slots)
    {
        var size = (long)slots * SlotSize;
        if (OperatingSystem.IsLinux())
        {
            // The pool's /proc/<pid>/fd/<n>: a link the pool gave us, followed; the file it leads to is checked.
            var handle = PrivateFile.TryOpen(path, writable: true, followLink: true, size, out _)
                ?? throw new FileNotFoundException($"The pool's progress region '{path}' does not exist (the pool exited?).", path);
            return Mapped(path, PrivateFile.Map(handle, size, writable: true), slots);
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            var file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            var region = new ProgressRegion(path, file, slots);
            TryDelete(path);
            return region;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static ProgressRegion Mapped(string path, MemoryMappedFile file, int slots)
    {
        try
        {
            return new ProgressRegion(path, file, slots);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public static void TryDelete(string path)
    {
        if (path.StartsWith("/proc/", StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static long Token(int seq, int position, bool done) => ((long)(uint)seq << 32) | ((uint)position << 1) | (done ? 1u : 0u);

    /// <summary>Publishes that <paramref name="slot"/> starts item <paramref name="position"/> of batch <paramref name="seq"/>.</summary>
    public void Begin(int slot, int seq, int position) => Volatile.Write(ref *(long*)(_base + (slot * SlotSize)), Token(seq, position, done: false));

    /// <summary>Publishes that <paramref name="slot"/> finished item <paramref name="position"/> of batch <paramref name="seq"/>.</summary>
    public void End(int slot, int seq, int position) => Volatile.Write(ref *(long*)(_base + (slot * SlotSize)), Token(seq, position, done: true));

    /// <summary>Reads what <paramref name="slot"/> is doing (pool side; safe against a concurrent <see cref="Dispose"/>).</summary>
    /// <remarks>
    /// The token is read once. Whatever the worker wrote, the result is safe to use: the position is 0 to 2^31-1 (callers
    /// compare it with the batch's count before using it).
    /// </remarks>
    public (int Seq, int Position, bool Done) Read(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)_slots);
        var handle = _view.SafeMemoryMappedViewHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var p = _base + (slot * SlotSize);
            var token = Volatile.Read(ref *(long*)p);
            return ((int)(token >>> 32), (int)((uint)token >> 1), (token & 1) != 0);
        }
        catch (ObjectDisposedException)
        {
            return default;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Asks the worker to cancel batch <paramref name="seq"/> of <paramref name="slot"/> (pool side; safe against a concurrent <see cref="Dispose"/>).</summary>
    public void RequestCancel(int slot, int seq)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)_slots);
        var handle = _view.SafeMemoryMappedViewHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            Volatile.Write(ref *(long*)(_base + (slot * SlotSize) + 16), seq);
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Gets the seq of the batch the pool wants cancelled on <paramref name="slot"/> (worker side).</summary>
    public int CancelRequested(int slot) => (int)Volatile.Read(ref *(long*)(_base + (slot * SlotSize) + 16));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
        TryDelete(Path);
    }
}
