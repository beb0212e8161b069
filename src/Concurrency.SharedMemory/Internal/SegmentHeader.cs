using System.Runtime.InteropServices;

namespace Concurrency.SharedMemory.Internal;

/// <summary>The header at the start of every segment; the elements start <see cref="Size"/> bytes in.</summary>
/// <remarks>
/// <code>
///  offset  size  field
///       0     8  Magic        "CCYSHM01"
///       8     4  Version      1
///      12     4  ElementSize  sizeof(T) of the owner's SharedArray&lt;T&gt;
///      16     8  Length       number of elements
///      24    16  SegmentId    random, also carried by every handle: a handle whose id differs is refused
///      40     4  State        0 live, 1 disposed (written by the owner before it unlinks the file)
///      44     4  OwnerPid
///      48     8  OwnerStartTime
///  ...4096       elements (page aligned)
/// </code>
/// </remarks>
[StructLayout(LayoutKind.Sequential, Pack = 8)]
internal struct SegmentHeader
{
    /// <summary>The header's room in the file: one page, so that the elements are page aligned.</summary>
    public const int Size = 4096;

    /// <summary>"CCYSHM01" read as a little-endian integer.</summary>
    public const ulong ExpectedMagic = 0x3130_4D48_5359_4343;

    public const int CurrentVersion = 1;
    public const int Live = 0;
    public const int Disposed = 1;

    public ulong Magic;
    public int Version;
    public int ElementSize;
    public long Length;
    public Guid SegmentId;
    public int State;
    public int OwnerPid;
    public long OwnerStartTime;
}
