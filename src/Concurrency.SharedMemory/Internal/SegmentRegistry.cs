namespace Concurrency.SharedMemory.Internal;

/// <summary>
/// The segments this process maps, by name and access: the owner's own mappings and the ones views opened.
/// Many views of one segment share one mapping; it is released when the last reference goes.
/// </summary>
/// <remarks>
/// <code>
///  SharedArray.Create ──▶ CreateOwned ──▶ [name, rw] refs=1 (owner) ◀── Open(rw handle) in the owner's process: refs+1
///  Open(handle) elsewhere ──▶ [name, rw|ro] mapped once, refs+1 per view ──▶ Release: refs-1, unmapped at 0
///  SharedArray.Dispose ──▶ header State = Disposed, file unlinked, owner's reference released
/// </code>
/// A read-only handle always gets a read-only mapping (PROT_READ), in the owner's process too, so that a write
/// through unsafe code faults instead of changing the data. Every open checks the header's State, so a view
/// cannot be opened on a disposed segment even while another view keeps its mapping alive.
/// </remarks>
internal static class SegmentRegistry
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<(string Name, bool Writable), MappedSegment> Mapped = [];
    private static bool s_exitHooked;

    /// <summary>
    /// Gets or sets a value indicating whether a mapping outlives its last view. Set in worker processes of the
    /// shared-memory executor: items that open the same segment one after another would otherwise map it (and take
    /// a page fault per page touched) every time. A kept mapping is released once its owner disposes the segment
    /// (checked whenever this process maps another one).
    /// </summary>
    public static bool KeepMappings { get; set; }

    /// <summary>Creates a segment owned by this process, mapped read-write, with one (the owner's) reference.</summary>
    public static unsafe MappedSegment CreateOwned(int elementSize, long length, Guid segmentId)
    {
        var name = SegmentName.CreateNew();
        var segment = SegmentStore.Create(name, SegmentHeader.Size + (length * elementSize));
        var header = segment.Header;
        header->Version = SegmentHeader.CurrentVersion;
        header->ElementSize = elementSize;
        header->Length = length;
        header->SegmentId = segmentId;
        header->State = SegmentHeader.Live;
        header->OwnerPid = ProcessIdentity.CurrentId;
        header->OwnerStartTime = ProcessIdentity.CurrentStartTime;
        Volatile.Write(ref header->Magic, SegmentHeader.ExpectedMagic);
        segment.References = 1;

        lock (Gate)
        {
            Mapped.Add((name, true), segment);
            if (!s_exitHooked)
            {
                // Normal exit without Dispose: still unlink our files (kill -9 is left to SharedMemoryJanitor).
                AppDomain.CurrentDomain.ProcessExit += static (_, _) => UnlinkAllOwned();
                s_exitHooked = true;
            }
        }

        return segment;
    }

    /// <summary>Maps (or reuses the mapping of) the segment a handle names, checked against the handle, with one more reference.</summary>
    /// <exception cref="ObjectDisposedException">The segment was disposed by its owner, or no longer exists.</exception>
    /// <exception cref="InvalidOperationException">The handle does not fit the segment (element type or range).</exception>
    public static MappedSegment Acquire(string name, Guid segmentId, int elementSize, long offset, long length, bool writable)
    {
        var key = (name, writable);
        lock (Gate)
        {
            if (Mapped.TryGetValue(key, out var cached))
            {
                if (cached.References == 0 && cached.IsDisposedByOwner)
                {
                    Mapped.Remove(key);
                    cached.Unmap();
                    throw Disposed(name);
                }

                Validate(cached, segmentId, elementSize, offset, length);
                cached.References++;
                return cached;
            }

            SweepKept();
        }

        // Map outside the lock: opening and mapping a file are system calls.
        var fresh = SegmentStore.TryOpen(name, writable) ?? throw Disposed(name);
        try
        {
            if (!fresh.HasValidHeader())
            {
                throw new InvalidDataException($"The shared segment '{name}' is not a segment of this library (bad header).");
            }

            Validate(fresh, segmentId, elementSize, offset, length);
        }
        catch
        {
            fresh.Unmap();
            throw;
        }

        MappedSegment result;
        lock (Gate)
        {
            if (Mapped.TryGetValue(key, out var raced))
            {
                result = raced;
            }
            else
            {
                Mapped.Add(key, fresh);
                result = fresh;
            }

            if (result != fresh)
            {
                Validate(result, segmentId, elementSize, offset, length);
            }

            result.References++;
        }

        if (result != fresh)
        {
            fresh.Unmap();
        }

        return result;
    }

    /// <summary>Drops one reference; the last one unmaps.</summary>
    public static void Release(MappedSegment segment)
    {
        bool unmap;
        lock (Gate)
        {
            unmap = --segment.References == 0 && !(KeepMappings && !segment.Owned && !segment.IsDisposedByOwner);
            if (unmap && Mapped.TryGetValue((segment.Name, segment.Writable), out var current) && current == segment)
            {
                Mapped.Remove((segment.Name, segment.Writable));
            }
        }

        if (unmap)
        {
            segment.Unmap();
        }
    }

    /// <summary>The owner's dispose: no new view can open the segment, its name is removed, the owner's reference dropped.</summary>
    public static unsafe void DisposeOwned(MappedSegment segment)
    {
        lock (Gate)
        {
            Volatile.Write(ref segment.Header->State, SegmentHeader.Disposed);
        }

        SegmentStore.Unlink(segment.Name);
        Release(segment);
    }

    /// <summary>Gets the number of mappings this process holds (for tests).</summary>
    internal static int MappedCount
    {
        get
        {
            lock (Gate)
            {
                return Mapped.Count;
            }
        }
    }

    /// <summary>Unmaps kept mappings (no view left) whose segment its owner has disposed. Called under the lock.</summary>
    private static void SweepKept()
    {
        if (!KeepMappings)
        {
            return;
        }

        List<(string, bool)>? gone = null;
        foreach (var (key, segment) in Mapped)
        {
            if (segment.References == 0 && segment.IsDisposedByOwner)
            {
                (gone ??= []).Add(key);
                segment.Unmap();
            }
        }

        foreach (var key in gone ?? [])
        {
            Mapped.Remove(key);
        }
    }

    private static unsafe void UnlinkAllOwned()
    {
        lock (Gate)
        {
            foreach (var segment in Mapped.Values)
            {
                if (segment.Owned && !segment.IsDisposedByOwner)
                {
                    Volatile.Write(ref segment.Header->State, SegmentHeader.Disposed);
                    SegmentStore.Unlink(segment.Name);
                }
            }
        }
    }

    private static unsafe void Validate(MappedSegment segment, Guid segmentId, int elementSize, long offset, long length)
    {
        var header = segment.Header;
        if (segment.IsDisposedByOwner)
        {
            throw Disposed(segment.Name);
        }

        if (header->SegmentId != segmentId)
        {
            throw new ObjectDisposedException(
                segment.Name,
                $"The shared segment '{segment.Name}' no longer holds the array this handle refers to (its segment id differs): " +
                "the array was disposed, or the handle was not obtained from SharedArray<T>.Handle.");
        }

        if (header->ElementSize != elementSize)
        {
            throw new InvalidOperationException(
                $"The shared segment '{segment.Name}' holds elements of {header->ElementSize} bytes, but the handle is for elements of {elementSize} bytes. " +
                "Open a handle with the element type the SharedArray<T> was created with.");
        }

        if (offset < 0 || length < 0 || offset > header->Length - length)
        {
            throw new InvalidOperationException(
                $"The handle's range [{offset}, {offset}+{length}) lies outside the shared segment '{segment.Name}' of {header->Length} elements. " +
                "Obtain handles from SharedArray<T>.Handle and SharedArrayHandle<T>.Slice only.");
        }
    }

    private static ObjectDisposedException Disposed(string name) =>
        new(
            name,
            $"The shared segment '{name}' has been disposed by its owner (or its owner process has exited), so this handle can no longer be opened. " +
            "Keep the SharedArray<T> alive until every item that uses its handles has completed.");
}
