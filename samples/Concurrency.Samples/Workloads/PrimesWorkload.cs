namespace Concurrency.Samples.Workloads;

/// <summary>
/// The article's second CPU workload: count the primes in a range by trial division up to √n.
/// Deliberately naive (no sieve): the point is CPU time that splits into independent ranges.
/// </summary>
public sealed class PrimesWorkload : IWorkload<NumberRange, int>
{
    /// <summary>The article's bound: primes below one million.</summary>
    public const int DefaultLimit = 1_000_000;

    /// <summary>The number of primes below <see cref="DefaultLimit"/>.</summary>
    public const int PrimesBelowDefaultLimit = 78_498;

    /// <inheritdoc/>
    public int Execute(NumberRange input, WorkContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var count = 0;
        for (var n = input.Start; n < input.End; n++)
        {
            if (IsPrime(n))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Tells whether <paramref name="n"/> is prime, by trial division by 2 and the odd numbers up to √n.</summary>
    /// <param name="n">The number to test.</param>
    /// <returns><see langword="true"/> if <paramref name="n"/> is prime.</returns>
    public static bool IsPrime(int n)
    {
        if (n < 2)
        {
            return false;
        }

        if (n % 2 == 0)
        {
            return n == 2;
        }

        for (var d = 3; (long)d * d <= n; d += 2)
        {
            if (n % d == 0)
            {
                return false;
            }
        }

        return true;
    }
}
