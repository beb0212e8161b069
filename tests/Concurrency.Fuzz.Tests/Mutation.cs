using CsCheck;

namespace Concurrency.Fuzz.Tests;

/// <summary>The ways a valid message is damaged.</summary>
internal enum MutationKind
{
    FlipBit,
    SetByte,
    SetInt32,
    Truncate,
    Insert,
    Delete,
    Repeat,
}

/// <summary>
/// One change to a message. <see cref="At"/> is taken modulo the message's length when applied, so that one
/// mutation fits any message; <see cref="Value"/> is a bit index, a byte, an int32 (often a boundary value) or a length.
/// </summary>
internal readonly record struct Mutation(MutationKind Kind, int At, int Value)
{
    /// <summary>Integers that break length, count and offset checks: signs, overflow, the protocol's own limits.</summary>
    private static readonly int[] Boundaries =
    [
        0, 1, 2, 3, 4, 5, 7, 8, -1, -2, 127, 128, 255, 256, 65_535, 65_536, 1 << 20, 1 << 24,
        (1 << 30) - 1, 1 << 30, (1 << 30) + 1, int.MaxValue, int.MaxValue - 1, int.MaxValue - 4, int.MinValue, int.MinValue + 1,
    ];

    /// <summary>Gets a generator of int32 values for a field: mostly boundaries, sometimes small numbers.</summary>
    private static Gen<int> Values { get; } = CsCheck.Gen.Frequency<int>((3, CsCheck.Gen.OneOf(Boundaries)), (1, CsCheck.Gen.Int[-16, 64]));

    /// <summary>Gets a generator of mutations, weighted towards damaging the integers that lengths and counts are made of.</summary>
    public static Gen<Mutation> Gen { get; } = CsCheck.Gen.Frequency(
        (3, CsCheck.Gen.Select(CsCheck.Gen.Int[0, int.MaxValue], CsCheck.Gen.Int[0, 7], (at, bit) => new Mutation(MutationKind.FlipBit, at, bit))),
        (2, CsCheck.Gen.Select(CsCheck.Gen.Int[0, int.MaxValue], CsCheck.Gen.Int[0, 255], (at, value) => new Mutation(MutationKind.SetByte, at, value))),
        (4, CsCheck.Gen.Select(CsCheck.Gen.Int[0, int.MaxValue], Values, (at, value) => new Mutation(MutationKind.SetInt32, at, value))),
        (2, CsCheck.Gen.Int[0, int.MaxValue].Select(at => new Mutation(MutationKind.Truncate, at, 0))),
        (1, CsCheck.Gen.Select(CsCheck.Gen.Int[0, int.MaxValue], CsCheck.Gen.Int[0, 255], (at, value) => new Mutation(MutationKind.Insert, at, value))),
        (1, CsCheck.Gen.Select(CsCheck.Gen.Int[0, int.MaxValue], CsCheck.Gen.Int[1, 16], (at, length) => new Mutation(MutationKind.Delete, at, length))),
        (1, CsCheck.Gen.Select(CsCheck.Gen.Int[0, int.MaxValue], CsCheck.Gen.Int[1, 64], (at, length) => new Mutation(MutationKind.Repeat, at, length))));

    /// <summary>Applies the mutations in order to a copy of <paramref name="message"/>.</summary>
    public static byte[] Apply(byte[] message, Mutation[] mutations)
    {
        var bytes = new List<byte>(message);
        foreach (var mutation in mutations)
        {
            mutation.ApplyTo(bytes);
        }

        return [.. bytes];
    }

    private void ApplyTo(List<byte> bytes)
    {
        if (bytes.Count == 0)
        {
            if (Kind == MutationKind.Insert)
            {
                bytes.Add((byte)Value);
            }

            return;
        }

        var at = At % bytes.Count;
        switch (Kind)
        {
            case MutationKind.FlipBit:
                bytes[at] ^= (byte)(1 << Value);
                break;
            case MutationKind.SetByte:
                bytes[at] = (byte)Value;
                break;
            case MutationKind.SetInt32:
                for (var i = 0; i < 4 && at + i < bytes.Count; i++)
                {
                    bytes[at + i] = (byte)(Value >> (8 * i));
                }

                break;
            case MutationKind.Truncate:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case MutationKind.Insert:
                bytes.Insert(at, (byte)Value);
                break;
            case MutationKind.Delete:
                bytes.RemoveRange(at, Math.Min(Value, bytes.Count - at));
                break;
            case MutationKind.Repeat:
                bytes.InsertRange(at, bytes.GetRange(at, Math.Min(Value, bytes.Count - at)));
                break;
        }
    }
}
