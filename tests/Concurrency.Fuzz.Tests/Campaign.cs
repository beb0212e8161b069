using System.Diagnostics;
using System.Globalization;
using CsCheck;

namespace Concurrency.Fuzz.Tests;

/// <summary>
/// A seeded, reproducible fuzz campaign: a fixed number of inputs drawn from one generator with one seed, each
/// handed to a target that must return an outcome or throw what the target accepts (the protocol's exception).
/// </summary>
/// <remarks>
/// The size and seed come from the environment, so that CI runs a short campaign and a longer one is the same
/// command with a larger <see cref="IterationsVariable"/> (see README.md).
/// </remarks>
internal static class Campaign
{
    /// <summary>The environment variable that sets the number of inputs per campaign.</summary>
    public const string IterationsVariable = "CONCURRENCY_FUZZ_ITERATIONS";

    /// <summary>The environment variable that sets the seed (an unsigned integer).</summary>
    public const string SeedVariable = "CONCURRENCY_FUZZ_SEED";

    /// <summary>The number of inputs per campaign in CI: a few seconds on a loaded 2-core machine.</summary>
    public const long CiIterations = 20_000;

    /// <summary>The seed when none is set.</summary>
    public const ulong DefaultSeed = 20_261_204;

    public static long Iterations =>
        Environment.GetEnvironmentVariable(IterationsVariable) is { Length: > 0 } value ? long.Parse(value, CultureInfo.InvariantCulture) : CiIterations;

    /// <summary>
    /// Gets the number of inputs of a campaign whose every input goes through a shared-memory ring (a channel mapped,
    /// a worker thread started and joined): a quarter of <see cref="Iterations"/>, at least one.
    /// </summary>
    public static long RingIterations => Math.Max(1, Iterations / 4);

    public static ulong Seed =>
        Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } value ? ulong.Parse(value, CultureInfo.InvariantCulture) : DefaultSeed;

    /// <summary>
    /// Runs <paramref name="target"/> on <see cref="Iterations"/> inputs of <paramref name="gen"/>. An input on which it throws
    /// anything but <paramref name="accepted"/> ends the campaign with a <see cref="FuzzFindingException"/> that gives the CsCheck
    /// seed of that input (<c>gen.Sample(target, seed: ..., iter: 1)</c> reproduces and shrinks it).
    /// </summary>
    public static CampaignResult Run<T>(string name, Gen<T> gen, Action<T> target, Func<Exception, bool> accepted, Func<T, string> print) =>
        Run(name, Iterations, gen, target, accepted, print);

    /// <summary>Runs a campaign of <paramref name="iterations"/> inputs (a fraction of <see cref="Iterations"/>, for targets slower than a decoder).</summary>
    public static CampaignResult Run<T>(string name, long iterations, Gen<T> gen, Action<T> target, Func<Exception, bool> accepted, Func<T, string> print)
    {
        var pcg = new PCG(1, Seed);
        var rejected = 0L;
        var watch = Stopwatch.StartNew();
        for (var i = 0L; i < iterations; i++)
        {
            var at = pcg.ToString(pcg.State);
            var input = gen.Generate(pcg, null!, out _);
            try
            {
                target(input);
            }
#pragma warning disable CA1031 // The campaign classifies every exception.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (!accepted(ex))
                {
                    throw new FuzzFindingException(
                        $"{name}: input {i + 1} of {iterations} (campaign seed {Seed}, CsCheck seed {at}) threw {ex.GetType().FullName}: {ex.Message}{Environment.NewLine}Input: {print(input)}", ex);
                }

                rejected++;
            }
        }

        return new CampaignResult(name, iterations, rejected, watch.Elapsed);
    }
}

/// <summary>What a campaign did: inputs tried, how many the target rejected with the accepted exception, how long it took.</summary>
internal sealed record CampaignResult(string Name, long Tried, long Rejected, TimeSpan Elapsed)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name}: {Tried} inputs tried ({Tried - Rejected} decoded, {Rejected} rejected as malformed), no other exception, in {Elapsed.TotalSeconds:0.0} s (seed {Campaign.Seed}).");
}

/// <summary>An input on which a decoder threw something other than the protocol's exception.</summary>
public sealed class FuzzFindingException : Exception
{
    public FuzzFindingException()
    {
    }

    public FuzzFindingException(string message)
        : base(message)
    {
    }

    public FuzzFindingException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
