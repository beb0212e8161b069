using Concurrency;
using Concurrency.Samples;
using Concurrency.Samples.Matrix;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

SampleOptions options;
try
{
    options = SampleOptions.Parse(args);
}
catch (FormatException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

if (options.ShowHelp)
{
    Console.WriteLine(SampleOptions.Usage);
    return 0;
}

// appsettings.json, then --Section:Key arguments, then the sample's own options (--executor, --workers).
var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json", optional: true)
    .AddCommandLine([.. options.ConfigurationArguments])
    .AddInMemoryCollection(options.ToConfiguration())
    .Build();

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return options.Command switch
{
    SampleCommand.Matrix => await MatrixCommand.RunAsync(options, configuration, cancellation.Token),
    SampleCommand.Advise => await AdviseCommand.RunAsync(options, configuration, cancellation.Token),
    _ => await RunOneExecutorAsync(options, configuration),
};

static async Task<int> RunOneExecutorAsync(SampleOptions options, IConfiguration configuration)
{
    ServiceProvider provider;
    IWorkExecutor executor;
    try
    {
        // The one line that chooses the isolation model: Executor:Kind = Threads | Processes | SharedMemory.
        provider = new ServiceCollection()
            .AddWorkExecutor(configuration.GetSection("Executor"))
            .BuildServiceProvider();
        executor = provider.GetRequiredService<IWorkExecutor>();
    }
    catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException or ArgumentException)
    {
        Console.Error.WriteLine($"error: {ex.Message}");
        return 2;
    }

    await using (provider)
    {
        Console.WriteLine($"Executor: {executor.Name} ({executor.GetType().Name}), {executor.MaxConcurrency} workers, capabilities: {executor.Capabilities}; {Environment.ProcessorCount} cores.");
        Console.WriteLine();
        var ok = true;
        var runs = new WorkloadRuns(executor, Console.Out);
        var headerWritten = false;
        foreach (var workload in options.Workloads)
        {
            switch (workload)
            {
                case "sum" or "primes":
                    if (!headerWritten)
                    {
                        runs.WriteHeader();
                        headerWritten = true;
                    }

                    ok &= workload == "sum" ? await runs.SumAsync() : await runs.PrimesAsync();
                    break;
                default:
                    await Demos.RunAsync(workload, options.Workers ?? executor.MaxConcurrency);
                    break;
            }
        }

        if (!ok)
        {
            Console.Error.WriteLine("error: a workload returned a wrong answer.");
            return 1;
        }
    }

    return 0;
}

/// <summary>The demos that are not measured: the race of unguarded counters and the quick start.</summary>
internal static class Demos
{
    public static async Task RunAsync(string workload, int threads)
    {
        switch (workload)
        {
            case "race":
                Console.WriteLine();
                // More threads than cores: the OS then also interleaves them within a core, so the race shows even on a busy machine.
                RaceDemo.Run(Math.Max(4, threads), incrementsPerThread: 5_000_000, Console.Out);
                break;
            case "quickstart":
                Console.WriteLine();
                Console.Write("quickstart: squares of 1..10 on the configured executor of QuickStart.cs: ");
                await QuickStart.RunAsync();
                Console.WriteLine();
                break;
        }
    }
}

/// <summary>The default command: the measured decision matrix.</summary>
internal static class MatrixCommand
{
    public static async Task<int> RunAsync(SampleOptions options, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var settings = new MatrixSettings(
            [.. options.Workloads.Where(SampleOptions.MeasurableWorkloads.Contains)],
            options.ExecutorKindsToMeasure,
            options.Scale,
            options.Runs,
            options.OutputDirectory,
            options.HangTimeout);
        var runner = new MatrixRunner(settings, new ExecutorFactory(configuration, options.Workers));
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 160; // A file or a pipe has no width; the default 80 columns would fold the table.
        }

        console.MarkupLine($"[bold]The decision matrix, measured[/]: {string.Join(", ", settings.Workloads)} — sequentially and on {string.Join(", ", settings.ExecutorKinds)}; {Environment.ProcessorCount} cores, workers: {options.Workers?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "one per core"}, scale {options.Scale}, median of {options.Runs} runs after a warm-up.");

        IReadOnlyList<MatrixRow> rows = [];
        if (settings.Workloads.Count > 0)
        {
            await console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask("matrix", maxValue: runner.TotalSteps);
                    rows = await runner.RunAsync(new SynchronousProgress(step =>
                    {
                        task.Value = step.Done;
                        task.Description = Markup.Escape(step.Description);
                    }), cancellationToken);
                });

            MatrixReport.WriteConsole(rows, console);
            Directory.CreateDirectory(options.OutputDirectory);
            var markdown = Path.Combine(options.OutputDirectory, "matrix.md");
            await File.WriteAllTextAsync(markdown, MatrixReport.ToMarkdown(rows), cancellationToken);
            var chart = Path.Combine(options.OutputDirectory, "matrix.png");
            MatrixChart.Write(rows, chart, $"{Environment.ProcessorCount} cores, scale {options.Scale}");
            Console.WriteLine($"Table: {markdown}");
            Console.WriteLine($"Chart: {chart}");
            Console.WriteLine($"SQLite files of the pipeline: {options.OutputDirectory}{Path.DirectorySeparatorChar}pipeline-*.db");
            foreach (var skipped in MatrixReport.Notes(rows))
            {
                Console.WriteLine($"note: {skipped}");
            }
        }

        foreach (var demo in options.Workloads.Where(w => !SampleOptions.MeasurableWorkloads.Contains(w)))
        {
            await Demos.RunAsync(demo, options.Workers ?? Environment.ProcessorCount);
        }

        if (rows.Any(r => r.IsComplete && !r.Ok))
        {
            Console.Error.WriteLine("error: a workload returned a wrong answer.");
            return 1;
        }

        return 0;
    }

    private sealed class SynchronousProgress(Action<MatrixStep> report) : IProgress<MatrixStep>
    {
        public void Report(MatrixStep value) => report(value);
    }
}
