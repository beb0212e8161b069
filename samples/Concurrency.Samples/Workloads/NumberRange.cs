namespace Concurrency.Samples.Workloads;

/// <summary>The half-open range of integers [<paramref name="Start"/>, <paramref name="End"/>): the input of a range workload.</summary>
/// <param name="Start">The first number of the range.</param>
/// <param name="End">The number after the last one.</param>
public readonly record struct NumberRange(int Start, int End)
{
    /// <summary>Gets the number of integers in the range.</summary>
    public int Length => End - Start;

    /// <summary>Splits [<paramref name="start"/>, <paramref name="end"/>) into <paramref name="parts"/> contiguous ranges of (nearly) equal length.</summary>
    /// <param name="start">The first number.</param>
    /// <param name="end">The number after the last one.</param>
    /// <param name="parts">How many ranges to make; at least one.</param>
    /// <returns>The ranges, in order; together they cover the whole range exactly once.</returns>
    public static NumberRange[] Split(int start, int end, int parts)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parts);
        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);
        var ranges = new NumberRange[parts];
        var length = (long)end - start;
        for (var i = 0; i < parts; i++)
        {
            ranges[i] = new NumberRange(start + (int)(length * i / parts), start + (int)(length * (i + 1) / parts));
        }

        return ranges;
    }
}
