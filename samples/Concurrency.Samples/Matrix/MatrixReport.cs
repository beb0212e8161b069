using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Concurrency.Samples.Matrix;

/// <summary>Shows the matrix: a console table, a Markdown table, a PNG chart.</summary>
internal static class MatrixReport
{
    public static readonly string[] Headers = ["workload", "executor", "workers", "items", "wall time", "speedup", "peak memory (all processes)", "bytes serialized / item", "crashing item: run survived?", "hung item: stopped?", "answer"];

    public static IEnumerable<string[]> Cells(IEnumerable<MatrixRow> rows) => rows.Select(r => r.Note is not null && !r.IsComplete
        ? new[] { r.Workload, r.Executor, "", "", "", "", "", "", "", "", r.Note }
        : [
            r.Workload,
            r.Executor,
            Format(r.Workers),
            Format(r.Items),
            r.Wall is { } wall ? string.Create(CultureInfo.InvariantCulture, $"{wall.TotalMilliseconds:N0} ms") : "",
            r.Speedup is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s:F2}x") : "",
            r.PeakMemoryBytes is { } m ? string.Create(CultureInfo.InvariantCulture, $"{m / (1024.0 * 1024):N0} MiB ({r.Processes} proc)") : "n/a",
            r.BytesPerItem is { } b ? Bytes(b) : "",
            r.CrashSurvived ?? "",
            r.HangStopped ?? "",
            (r.Ok ? "" : "WRONG ") + (r.Answer ?? "") + (r.Note is null ? "" : $" ({r.Note})"),
        ]);

    public static void WriteConsole(IReadOnlyList<MatrixRow> rows, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in Headers)
        {
            table.AddColumn(new TableColumn(Markup.Escape(header)));
        }

        foreach (var cells in Cells(rows))
        {
            table.AddRow(cells.Select(c => new Text(c)).ToArray<Spectre.Console.Rendering.IRenderable>());
        }

        console.Write(table);
    }

    public static string ToMarkdown(IReadOnlyList<MatrixRow> rows)
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", Headers).AppendLine(" |");
        text.Append('|').AppendJoin("", Headers.Select(_ => "---|")).AppendLine();
        foreach (var cells in Cells(rows))
        {
            text.Append("| ").AppendJoin(" | ", cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))).AppendLine(" |");
        }

        return text.ToString();
    }

    public static string Bytes(long bytes) => bytes >= 1 << 20
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):N2} MiB")
        : bytes >= 1024 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:N1} KiB") : string.Create(CultureInfo.InvariantCulture, $"{bytes} B");

    private static string Format(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
}
