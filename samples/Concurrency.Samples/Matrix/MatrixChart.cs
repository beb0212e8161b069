using ScottPlot;

namespace Concurrency.Samples.Matrix;

/// <summary>Draws the matrix as a PNG: wall time and speedup per workload, one bar per executor.</summary>
internal static class MatrixChart
{
    public static void Write(IReadOnlyList<MatrixRow> rows, string path, string subtitle)
    {
        var measured = rows.Where(r => r.Wall is not null && r.Speedup is not null).ToList();
        var workloads = measured.Select(r => r.Workload).Distinct().ToArray();
        var executors = measured.Select(r => r.Executor).Distinct().ToArray();

        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var time = multiplot.GetPlot(0);
        var speedup = multiplot.GetPlot(1);
        Draw(time, measured, workloads, executors, r => r.Wall!.Value.TotalMilliseconds, "wall time (ms, lower is better)", legend: true);
        Draw(speedup, measured, workloads, executors, r => r.Speedup!.Value, "speedup over sequential (higher is better)", legend: false);
        speedup.Add.HorizontalLine(1, 1, Colors.Gray, LinePattern.Dashed);
        time.Title($"Decision matrix, measured: {subtitle}", size: 13);
        multiplot.SavePng(path, 1400, 560);
    }

    private static void Draw(Plot plot, List<MatrixRow> rows, string[] workloads, string[] executors, Func<MatrixRow, double> value, string label, bool legend)
    {
        var palette = new ScottPlot.Palettes.Category10();
        var width = 0.8 / executors.Length;
        for (var e = 0; e < executors.Length; e++)
        {
            var bars = new List<Bar>();
            for (var w = 0; w < workloads.Length; w++)
            {
                if (rows.FirstOrDefault(r => r.Workload == workloads[w] && r.Executor == executors[e]) is { } row)
                {
                    var v = value(row);
                    bars.Add(new Bar
                    {
                        Position = w - 0.4 + (width * (e + 0.5)),
                        Value = v,
                        Size = width * 0.9,
                        FillColor = palette.GetColor(e),
                        Label = v >= 100 ? v.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : v.ToString("F2", System.Globalization.CultureInfo.InvariantCulture),
                    });
                }
            }

            var plottable = plot.Add.Bars(bars);
            plottable.ValueLabelStyle.FontSize = 10;
            if (legend)
            {
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = executors[e], FillColor = palette.GetColor(e) });
            }
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [.. Enumerable.Range(0, workloads.Length).Select(i => (double)i)], workloads);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.HideGrid();
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.YLabel(label);
        if (legend)
        {
            plot.ShowLegend(Alignment.UpperLeft);
        }
    }
}
