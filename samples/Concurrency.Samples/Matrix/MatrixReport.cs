using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Concurrency.Samples.Matrix;

/// <summary>Shows the matrix: a console table, a Markdown table, a PNG chart.</summary>
internal static class MatrixReport
{
    public static readonly string[] Headers = ["workload", "executor", "workers", "items", "wall time", "speedup", "peak memory, all processes", "serialized / item", "crashing item: run survived?", "hung item: stopped?", "answer"];

    private static readonly string[] ConsoleHeaders = ["workload", "executor", "wall", "speedup", "peak mem (procs)", "bytes/item", "crash: survived?", "hang: stopped?", "ok"];

    public static IEnumerable<string[]> Cells(IEnumerable<MatrixRow> rows) => rows.Select(r => !r.IsComplete
        ? new[] { r.Workload, r.Executor, "", "", "", "", "", "", "", "", Short(r.Note) }
        : [
            r.Workload,
            r.Executor,
            Format(r.Workers),
            Format(r.Items),
            Ms(r.Wall),
            Speedup(r.Speedup),
            Memory(r),
            Bytes(r.BytesPerItem!.Value),
            r.CrashSurvived ?? "",
            r.HangStopped ?? "",
            (r.Ok ? "" : "WRONG ") + r.Answer + (r.Note is null ? "" : $" ({r.Note})"),
        ]);

    /// <summary>Gets the notes of the rows that could not be measured, one per executor.</summary>
    public static IEnumerable<string> Notes(IEnumerable<MatrixRow> rows) =>
        rows.Where(r => !r.IsComplete && r.Note is not null).Select(r => $"{r.Executor}: {r.Note}").Distinct();

    public static void WriteConsole(IReadOnlyList<MatrixRow> rows, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in ConsoleHeaders)
        {
            table.AddColumn(new TableColumn(Markup.Escape(header)));
        }

        foreach (var r in rows)
        {
            string[] cells = !r.IsComplete
                ? [r.Workload, r.Executor, "", "", "", "", "", "", Short(r.Note)]
                : [r.Workload, r.Executor, Ms(r.Wall), Speedup(r.Speedup), Memory(r), Bytes(r.BytesPerItem!.Value), YesNo(r.CrashSurvived), YesNo(r.HangStopped), r.Ok ? "ok" : "WRONG"];
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

        foreach (var note in Notes(rows))
        {
            text.AppendLine().Append("Note: ").AppendLine(note);
        }

        return text.ToString();
    }

    public static string Bytes(long bytes) => bytes >= 1 << 20
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):N2} MiB")
        : bytes >= 1024 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:N1} KiB") : string.Create(CultureInfo.InvariantCulture, $"{bytes} B");

    private static string Short(string? note) => note is null ? "" : note.StartsWith(MatrixRunner.NotAvailable, StringComparison.Ordinal) ? $"{MatrixRunner.NotAvailable} (see note)" : note;

    private static string YesNo(string? text) => text is null ? "" : text.StartsWith("yes", StringComparison.Ordinal) ? "yes" : text.StartsWith("no (", StringComparison.Ordinal) ? "no" : text;

    private static string Ms(TimeSpan? time) => time is { } t ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:N0} ms") : "";

    private static string Speedup(double? speedup) => speedup is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s:F2}x") : "";

    private static string Memory(MatrixRow r) => r.PeakMemoryBytes is { } m ? string.Create(CultureInfo.InvariantCulture, $"{m / (1024.0 * 1024):N0} MiB ({r.Processes})") : "n/a";

    private static string Format(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
}
