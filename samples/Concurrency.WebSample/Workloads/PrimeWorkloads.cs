namespace Concurrency.WebSample.Workloads;

/// <summary>A range of whole numbers, [Start, End).</summary>
/// <param name="Start">The first number of the range.</param>
/// <param name="End">The number after the last.</param>
public sealed record NumberRange(int Start, int End);

/// <summary>How many primes a range holds.</summary>
/// <param name="Start">The first number of the range.</param>
/// <param name="End">The number after the last.</param>
/// <param name="Primes">The number of primes in the range.</param>
public sealed record RangeCount(int Start, int End, int Primes);

/// <summary>Counts the primes in a range by trial division: CPU work with no I/O, the kind a web request should not run on its own thread.</summary>
/// <remarks>Public, sealed, with a parameterless constructor: it runs unchanged on threads and in worker processes.</remarks>
public sealed class CountPrimesWorkload : IWorkload<NumberRange, RangeCount>
{
    /// <inheritdoc/>
    public RangeCount Execute(NumberRange input, WorkContext context)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        var primes = 0;
        for (var n = Math.Max(2, input.Start); n < input.End; n++)
        {
            if ((n & 0xFFF) == 0)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
            }

            if (IsPrime(n))
            {
                primes++;
            }
        }

        return new RangeCount(input.Start, input.End, primes);
    }

    /// <summary>Splits [0, <paramref name="below"/>) into <paramref name="parts"/> ranges of about the same size.</summary>
    public static IEnumerable<NumberRange> Split(int below, int parts) =>
        Enumerable.Range(0, parts).Select(i => new NumberRange((int)((long)below * i / parts), (int)((long)below * (i + 1) / parts)));

    private static bool IsPrime(int n)
    {
        for (var d = 2; (long)d * d <= n; d++)
        {
            if (n % d == 0)
            {
                return false;
            }
        }

        return true;
    }
}
