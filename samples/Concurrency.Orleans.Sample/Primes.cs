using Concurrency;
using Concurrency.Orleans;

namespace Concurrency.Orleans.Sample;

/// <summary>A half-open range of numbers to search for primes.</summary>
public sealed record PrimeRange(int Start, int End);

/// <summary>How many primes a range holds, and which process (silo) counted them.</summary>
public sealed record PrimeCount(int Count, int ProcessId, int WorkerId);

/// <summary>
/// Counts the primes of a range by trial division: plain CPU work, no attribute of any framework. Pure, so it is
/// safe to run again on another silo if its silo is lost.
/// </summary>
[IdempotentWorkload]
public sealed class CountPrimesWorkload : IWorkload<PrimeRange, PrimeCount>
{
    public PrimeCount Execute(PrimeRange input, WorkContext context)
    {
        var count = 0;
        for (var n = Math.Max(2, input.Start); n < input.End; n++)
        {
            if ((n & 1023) == 0)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
            }

            if (IsPrime(n))
            {
                count++;
            }
        }

        return new PrimeCount(count, Environment.ProcessId, context.WorkerId);
    }

    private static bool IsPrime(int n)
    {
        if (n < 4)
        {
            return n >= 2;
        }

        if (n % 2 == 0)
        {
            return false;
        }

        for (var d = 3; d <= n / d; d += 2)
        {
            if (n % d == 0)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Does nothing: measures the cost of a round trip to a silo and back.</summary>
public sealed class EmptyWorkload : IWorkload<int, int>
{
    public int Execute(int input, WorkContext context) => input;
}
