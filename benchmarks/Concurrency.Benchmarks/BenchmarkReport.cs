using System.Globalization;

namespace Concurrency.Benchmarks;

/// <summary>What the stopwatch benchmarks share: statistics over rounds, units, and the printed table.</summary>
internal static class BenchmarkReport
{
    /// <summary>Gets the best (smallest) and the median of <paramref name="rounds"/>.</summary>
    public static (double Best, double Median) Summarize(IReadOnlyCollection<double> rounds) => (rounds.Min(), Median(rounds));

    /// <summary>Gets the median of <paramref name="samples"/> (the mean of the middle two when their count is even).</summary>
    public static double Median(IReadOnlyCollection<double> samples)
    {
        var sorted = samples.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static string Us(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:F1} µs");

    public static string Ms(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e3:F1} ms");

    public static string Gbs(double bytesPerSecond) => string.Create(CultureInfo.InvariantCulture, $"{bytesPerSecond / 1e9:F1} GB/s");

    public static string Ratio(double ratio) => string.Create(CultureInfo.InvariantCulture, $"{ratio:F2}×");

    /// <summary>Prints the rows as a Markdown table; <paramref name="against"/> names the column of same-run references.</summary>
    public static void PrintTable(string against, List<(string Name, string Value, string Floor, string Ratio, string Target)> rows)
    {
        Console.WriteLine();
        Console.WriteLine($"| {"benchmark",-46} | {"measured",-22} | {against,-52} | {"ratio",-14} | {"target",-20} |");
        Console.WriteLine($"|{new string('-', 48)}|{new string('-', 24)}|{new string('-', 54)}|{new string('-', 16)}|{new string('-', 22)}|");
        foreach (var row in rows)
        {
            Console.WriteLine($"| {row.Name,-46} | {row.Value,-22} | {row.Floor,-52} | {row.Ratio,-14} | {row.Target,-20} |");
        }
    }
}
