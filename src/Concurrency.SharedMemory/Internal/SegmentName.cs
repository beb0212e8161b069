using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Concurrency.SharedMemory.Internal;

/// <summary>
/// Names of our segments: <c>concurrency-&lt;owner pid&gt;-&lt;owner start time&gt;-&lt;128 random bits, hex&gt;</c>.
/// </summary>
/// <remarks>
/// The random part makes names unguessable; the owner's pid and start time let <see cref="SharedMemoryJanitor"/>
/// skip the segments of owners alive in this PID namespace without opening them (whether an owner elsewhere is alive
/// only the lock its creator holds on the file can tell). A name is a single path component: <see cref="IsValid"/> is what keeps a forged handle
/// from naming a file outside our directory or outside our prefix.
/// </remarks>
internal static partial class SegmentName
{
    /// <summary>The prefix of every segment file this library creates.</summary>
    public const string Prefix = "concurrency-";

    /// <summary>Creates a fresh name owned by the current process.</summary>
    public static string CreateNew()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Prefix}{ProcessIdentity.CurrentId}-{ProcessIdentity.CurrentStartTime}-{Convert.ToHexStringLower(random)}");
    }

    /// <summary>Whether <paramref name="name"/> has exactly the shape of our names (so it names no other file).</summary>
    public static bool IsValid(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>Reads the owner out of a name.</summary>
    public static bool TryParseOwner(string name, out int pid, out long startTime)
    {
        var match = NamePattern().Match(name);
        pid = 0;
        startTime = 0;
        return match.Success
            && int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out pid)
            && long.TryParse(match.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out startTime);
    }

    [GeneratedRegex("^concurrency-([0-9]{1,10})-([0-9]{1,19})-[0-9a-f]{32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
