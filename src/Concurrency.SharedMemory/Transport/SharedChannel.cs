using System.IO.MemoryMappedFiles;
using System.Text.RegularExpressions;

using Concurrency.Processes.Internal;

using Concurrency.SharedMemory.Internal;
using Microsoft.Win32.SafeHandles;

namespace Concurrency.SharedMemory.Transport;

/// <summary>
/// A duplex byte channel between a parent and one worker process: two <see cref="SharedRing"/>s in one
/// anonymous memory file (parent→worker and worker→parent). The parent creates it (<see cref="PrivateFile.CreateAnonymous"/>:
/// mode 0600, no name in any file system, space reserved, sealed against truncation) and tells the worker its
/// /proc/&lt;parent pid&gt;/fd/&lt;n&gt; path over the private control pipe; the worker opens it there. Nothing is ever left in
/// /dev/shm, and a full /dev/shm does not keep a worker from starting.
/// </summary>
/// <remarks>
/// <see cref="Read"/>, <see cref="Write"/> and <see cref="Close"/> may run on other threads while <see cref="Dispose"/>
/// runs (the pool disposes a dead worker's channel while a thread of it may still be sending): each holds a reference
/// on the mapping, so the memory is unmapped only after the last of them returns, and once disposed they throw
/// <see cref="ObjectDisposedException"/> (or, for <see cref="Close"/>, do nothing) instead of touching unmapped memory.
/// </remarks>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed unsafe partial class SharedChannel : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly SafeMemoryMappedViewHandle _mapping;
    private readonly byte* _pointer;
    private int _disposed;
    private string? _corruption;

    private SharedChannel(MemoryMappedFile file, MemoryMappedViewAccessor view, string name, int capacity, bool isParent, int spinMicroseconds = 0)
    {
        _file = file;
        _view = view;
        Name = name;
        _mapping = view.SafeMemoryMappedViewHandle;
        _mapping.AcquirePointer(ref _pointer);
        var basePointer = _pointer + view.PointerOffset;
        var toWorker = new SharedRing(basePointer, capacity, initialize: isParent, spinMicroseconds);
        var toParent = new SharedRing(basePointer + SharedRing.HeaderSize + capacity, capacity, initialize: isParent, spinMicroseconds);
        Outgoing = isParent ? toWorker : toParent;
        Incoming = isParent ? toParent : toWorker;
    }

    /// <summary>Gets the path through which the worker opens the channel: /proc/&lt;parent pid&gt;/fd/&lt;n&gt;.</summary>
    public string Name { get; }

    /// <summary>Gets the ring this side writes to.</summary>
    public SharedRing Outgoing { get; }

    /// <summary>Gets the ring this side reads from.</summary>
    public SharedRing Incoming { get; }

    /// <summary>Creates a channel whose rings each hold <paramref name="capacity"/> bytes (a power of two), and whose waiters on both sides poll for <paramref name="spinMicroseconds"/> before they sleep.</summary>
    /// <exception cref="IOException">The system cannot create or reserve the memory.</exception>
    public static SharedChannel Create(int capacity, int spinMicroseconds = 0)
    {
        EnsureSupported();
        var size = SizeOf(capacity);
        var handle = PrivateFile.CreateAnonymous(ChannelFileName, size);
        var name = PrivateFile.PathOf(handle);
        var file = PrivateFile.Map(handle, size, writable: true);
        return Open(file, name, size, capacity, isParent: true, spinMicroseconds);
    }

    /// <summary>Opens, in the worker, the channel the parent created.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a channel's path.</exception>
    /// <exception cref="FileNotFoundException">The channel does not exist (any more).</exception>
    public static SharedChannel Open(string name, int capacity)
    {
        EnsureSupported();
        if (!ChannelPath().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not the path of a shared-memory channel.", nameof(name));
        }

        var size = SizeOf(capacity);
        var handle = PrivateFile.TryOpen(name, writable: true, followLink: true, size, out var actual)
            ?? throw new FileNotFoundException($"The shared-memory channel '{name}' does not exist (its creator exited?).", name);
        if (actual != size)
        {
            handle.Dispose();
            throw new InvalidDataException($"The shared-memory channel '{name}' holds {actual} bytes; {size} were expected.");
        }

        return Open(PrivateFile.Map(handle, size, writable: true), name, size, capacity, isParent: false);
    }

    /// <summary>Gets the name the channel's memory file shows in /proc/&lt;pid&gt;/maps and /proc/&lt;pid&gt;/fd (for diagnostics).</summary>
    internal const string ChannelFileName = "concurrency-channel";

    private static long SizeOf(int capacity) => 2L * (SharedRing.HeaderSize + capacity);

    private static SharedChannel Open(MemoryMappedFile file, string name, long size, int capacity, bool isParent, int spinMicroseconds = 0)
    {
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, size, MemoryMappedFileAccess.ReadWrite);
            return new SharedChannel(file, view, name, capacity, isParent, spinMicroseconds);
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads from the incoming ring: at least one byte, waiting for data; 0 once it is closed and empty.</summary>
    /// <exception cref="InvalidDataException">The other process corrupted a ring's header (seen by this read or by an earlier write).</exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public int Read(Span<byte> destination)
    {
        using (Lease())
        {
            var read = Incoming.Read(destination);
            if (read == 0 && Volatile.Read(ref _corruption) is { } corruption)
            {
                throw new InvalidDataException(corruption);
            }

            return read;
        }
    }

    /// <summary>Writes every byte of <paramref name="source"/> to the outgoing ring, waiting for space as needed.</summary>
    /// <exception cref="IOException">
    /// The channel was closed, before or during the write; or the other process corrupted the outgoing ring's header,
    /// in which case the channel is closed and this side's reader reports the corruption as <see cref="InvalidDataException"/>
    /// (a writer's caller treats a failed write like a dead peer, and the reader is where a protocol error is reported).
    /// </exception>
    /// <exception cref="ObjectDisposedException">The channel was disposed.</exception>
    public void Write(ReadOnlySpan<byte> source)
    {
        using (Lease())
        {
            try
            {
                Outgoing.Write(source);
            }
            catch (InvalidDataException ex)
            {
                Interlocked.CompareExchange(ref _corruption, ex.Message, null);
                Outgoing.Close();
                Incoming.Close();
                throw new IOException(ex.Message, ex);
            }
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

    [GeneratedRegex("^/proc/[0-9]{1,10}/fd/[0-9]{1,10}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ChannelPath();

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
