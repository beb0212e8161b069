using System.IO.MemoryMappedFiles;

using Concurrency.SharedMemory.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concurrency.SharedMemory.Transport;

/// <summary>
/// A duplex byte channel between a parent and one worker process: two <see cref="SharedRing"/>s in one
/// shared-memory file (parent→worker and worker→parent). The parent creates it (mode 0600, an unguessable
/// name) and tells the worker its name over the private control pipe; the worker opens it.
/// </summary>
/// <remarks>
/// <see cref="Read"/>, <see cref="Write"/> and <see cref="Close"/> may run on other threads while <see cref="Dispose"/>
/// runs (the pool disposes a dead worker's channel while a thread of it may still be sending): each holds a reference
/// on the mapping, so the memory is unmapped only after the last of them returns, and once disposed they throw
/// <see cref="ObjectDisposedException"/> (or, for <see cref="Close"/>, do nothing) instead of touching unmapped memory.
/// </remarks>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed unsafe class SharedChannel : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly SafeMemoryMappedViewHandle _mapping;
    private readonly string? _pathToUnlink;
    private readonly byte* _pointer;
    private int _disposed;

    private SharedChannel(MemoryMappedFile file, MemoryMappedViewAccessor view, string name, int capacity, bool isParent, string? pathToUnlink, int spinMicroseconds = 0)
    {
        _file = file;
        _view = view;
        _pathToUnlink = pathToUnlink;
        Name = name;
        _mapping = view.SafeMemoryMappedViewHandle;
        _mapping.AcquirePointer(ref _pointer);
        var basePointer = _pointer + view.PointerOffset;
        var toWorker = new SharedRing(basePointer, capacity, initialize: isParent, spinMicroseconds);
        var toParent = new SharedRing(basePointer + SharedRing.HeaderSize + capacity, capacity, initialize: isParent, spinMicroseconds);
        Outgoing = isParent ? toWorker : toParent;
        Incoming = isParent ? toParent : toWorker;
    }

    /// <summary>Gets the file name (not a path) that the worker opens.</summary>
    public string Name { get; }

    /// <summary>Gets the ring this side writes to.</summary>
    public SharedRing Outgoing { get; }

    /// <summary>Gets the ring this side reads from.</summary>
    public SharedRing Incoming { get; }

    /// <summary>Gets the directory that holds channel files: /dev/shm (memory, not disk).</summary>
    public static string Directory => SegmentStore.UnixDirectory;

    /// <summary>Creates a channel whose rings each hold <paramref name="capacity"/> bytes (a power of two), and whose waiters on both sides poll for <paramref name="spinMicroseconds"/> before they sleep.</summary>
    public static SharedChannel Create(int capacity, int spinMicroseconds = 0)
    {
        EnsureSupported();
        // Named like every segment (owner pid and start time, then 128 random bits): the janitor reclaims the
        // file if the owner is killed before the worker opened (and unlinked) it.
        var name = SegmentName.CreateNew();
        var path = Path.Combine(Directory, name);
        var size = 2L * (SharedRing.HeaderSize + capacity);
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        try
        {
            stream.SetLength(size);
            var file = MemoryMappedFile.CreateFromFile(stream, mapName: null, size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            var view = file.CreateViewAccessor(0, size, MemoryMappedFileAccess.ReadWrite);
            return new SharedChannel(file, view, name, capacity, isParent: true, pathToUnlink: path, spinMicroseconds);
        }
        catch
        {
            stream.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Opens, in the worker, the channel the parent created.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a channel name.</exception>
    public static SharedChannel Open(string name, int capacity)
    {
        EnsureSupported();
        if (!SegmentName.IsValid(name))
        {
            throw new ArgumentException($"'{name}' is not the name of a shared-memory channel.", nameof(name));
        }

        var path = Path.Combine(Directory, name);
        var size = 2L * (SharedRing.HeaderSize + capacity);
        var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        if (stream.Length != size)
        {
            stream.Dispose();
            throw new InvalidDataException($"The shared-memory channel '{name}' holds {stream.Length} bytes; {size} were expected.");
        }

        var file = MemoryMappedFile.CreateFromFile(stream, mapName: null, size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
        var view = file.CreateViewAccessor(0, size, MemoryMappedFileAccess.ReadWrite);
        return new SharedChannel(file, view, name, capacity, isParent: false, pathToUnlink: null);
    }

    /// <summary>
    /// Removes the file name once both sides have mapped it (the mapping lives on): nothing is left in /dev/shm
    /// even if both processes are killed later.
    /// </summary>
    public void Unlink()
    {
        if (_pathToUnlink is not null)
        {
            File.Delete(_pathToUnlink);
        }
    }

    /// <summary>Reads from the incoming ring: at least one byte, waiting for data; 0 once it is closed and empty.</summary>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public int Read(Span<byte> destination)
    {
        using (Lease())
        {
            return Incoming.Read(destination);
        }
    }

    /// <summary>Writes every byte of <paramref name="source"/> to the outgoing ring, waiting for space as needed.</summary>
    /// <exception cref="IOException">The channel was closed, before or during the write.</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public void Write(ReadOnlySpan<byte> source)
    {
        using (Lease())
        {
            Outgoing.Write(source);
        }
    }

    /// <summary>Closes both rings, waking any sleeper on either side. Does nothing once the channel is disposed (it was closed then).</summary>
    public void Close()
    {
        try
        {
            using (Lease())
            {
                Outgoing.Close();
                Incoming.Close();
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Close();
        Unlink();

        // Unmapped when the last reader or writer still inside returns (they hold references on the mapping).
        _mapping.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    /// <summary>Takes a reference on the mapping for as long as the lease lives; throws <see cref="ObjectDisposedException"/> once the channel is disposed.</summary>
    private MappingLease Lease()
    {
        var added = false;
        _mapping.DangerousAddRef(ref added);
        return new MappingLease(_mapping);
    }

    private static void EnsureSupported()
    {
        if (!Futex.IsSupported)
        {
            throw new PlatformNotSupportedException("Shared-memory channels need Linux (futexes on a /dev/shm mapping).");
        }
    }
}

/// <summary>A reference on a mapping, released at the end of a <see langword="using"/>.</summary>
internal readonly ref struct MappingLease(SafeMemoryMappedViewHandle mapping)
{
    public void Dispose() => mapping.DangerousRelease();
}
