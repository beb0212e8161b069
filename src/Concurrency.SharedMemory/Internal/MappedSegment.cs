using System.IO.MemoryMappedFiles;

namespace Concurrency.SharedMemory.Internal;

/// <summary>One mapping of a segment into this process: a header and the elements after it.</summary>
/// <remarks>
/// Reference counted by <see cref="SegmentRegistry"/>: the owner holds one reference, every open view one more;
/// the mapping is released when the count reaches zero. Unlinking the file does not invalidate a mapping.
/// </remarks>
internal sealed unsafe class MappedSegment
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private int _unmapped;

    public MappedSegment(string name, bool writable, bool owned, MemoryMappedFile file, MemoryMappedViewAccessor view)
    {
        Name = name;
        Writable = writable;
        Owned = owned;
        _file = file;
        _view = view;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + view.PointerOffset;
        MappedBytes = (long)view.SafeMemoryMappedViewHandle.ByteLength - view.PointerOffset;
    }

    /// <summary>Gets the segment's name.</summary>
    public string Name { get; }

    /// <summary>Gets a value indicating whether the pages are mapped writable.</summary>
    public bool Writable { get; }

    /// <summary>Gets a value indicating whether this process created the segment (and unlinks it).</summary>
    public bool Owned { get; }

    /// <summary>Gets the number of bytes mapped (at least the file's size).</summary>
    public long MappedBytes { get; }

    /// <summary>Gets or sets the references held on this mapping; guarded by the registry's lock.</summary>
    public int References { get; set; }

    /// <summary>Gets the header at the start of the mapping.</summary>
    public SegmentHeader* Header => (SegmentHeader*)_base;

    /// <summary>Gets the first element.</summary>
    public byte* Data => _base + SegmentHeader.Size;

    /// <summary>Gets a value indicating whether the owner has disposed the segment.</summary>
    public bool IsDisposedByOwner => Volatile.Read(ref Header->State) != SegmentHeader.Live;

    /// <summary>Checks that the mapping holds a well-formed header whose elements fit in the mapping.</summary>
    public bool HasValidHeader()
    {
        if (MappedBytes < SegmentHeader.Size)
        {
            return false;
        }

        var header = Header;
        return header->Magic == SegmentHeader.ExpectedMagic
            && header->Version == SegmentHeader.CurrentVersion
            && header->ElementSize > 0
            && header->Length >= 0
            && header->Length <= (MappedBytes - SegmentHeader.Size) / header->ElementSize;
    }

    /// <summary>Releases the pages; idempotent.</summary>
    public void Unmap()
    {
        if (Interlocked.Exchange(ref _unmapped, 1) != 0)
        {
            return;
        }

        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
