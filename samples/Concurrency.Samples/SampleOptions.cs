using System.Globalization;

namespace Concurrency.Samples;

/// <summary>What the sample does: measure the whole matrix, run one executor, or advise on a workload.</summary>
public enum SampleCommand
{
    /// <summary>Every workload, sequentially and on every executor: the measured decision matrix (the default).</summary>
    Matrix,

    /// <summary>The workloads on the one executor the configuration names (<c>--executor</c> or appsettings.json).</summary>
    Run,

    /// <summary>The advisor's recommendation for one workload.</summary>
    Advise,
}

/// <summary>The sample's command line, parsed: what to do, which workloads, on which executors, how big, with how many workers.</summary>
/// <remarks>
/// <c>--executor</c> and <c>--workers</c> become the configuration values <c>Executor:Kind</c> and
/// <c>Executor:MaxConcurrency</c> (see <see cref="ToConfiguration"/>), so they override appsettings.json
/// exactly as any other configuration source would. Arguments of the form <c>--Section:Key value</c> (with a
/// colon) are passed to the configuration unchanged, e.g. <c>--Executor:QueueCapacity 64</c>.
/// </remarks>
public sealed class SampleOptions
{
    /// <summary>The workloads <c>run</c> runs when <c>--workloads</c> is not given.</summary>
    public static readonly IReadOnlyList<string> DefaultWorkloads = ["sum", "primes", "race"];

    /// <summary>The workloads <c>matrix</c> measures when <c>--workloads</c> is not given.</summary>
    public static readonly IReadOnlyList<string> DefaultMatrixWorkloads = ["sum", "primes", "pipeline", "inplace"];

    /// <summary>The executor kinds <c>matrix</c> and <c>advise</c> measure when <c>--executors</c> is not given.</summary>
    public static readonly IReadOnlyList<string> DefaultExecutorKinds = ["Threads", "Processes", "SharedMemory"];

    /// <summary>Every workload name <c>--workloads</c> accepts.</summary>
    public static readonly IReadOnlyList<string> KnownWorkloads = ["sum", "primes", "pipeline", "inplace", "race", "quickstart"];

    /// <summary>The workloads that can be measured in the matrix and advised on.</summary>
    public static readonly IReadOnlyList<string> MeasurableWorkloads = ["sum", "primes", "pipeline", "inplace"];

    /// <summary>The usage text that <c>--help</c> prints.</summary>
    public const string Usage = """
        Runs the article's workloads sequentially and on every executor, and prints the measured decision matrix.

        Usage: dotnet run -c Release --project samples/Concurrency.Samples -- [matrix|run|advise] [options]

        Commands:
          matrix                 (default) sum, primes, pipeline and inplace, sequentially and on every executor:
                                 wall time, speedup, peak memory of all processes, bytes serialized per item,
                                 whether a crashing item left the run alive, whether a hung item was stopped;
                                 writes matrix.png and matrix.md to the output folder
          run                    (the default when --executor is given) the workloads on one executor,
                                 the one the configuration names
          advise                 ExecutorAdvisor's recommendation for one workload (--workload)

        Options:
          --executor <kind>      threads | processes | sharedmemory (sets Executor:Kind; default: the value
                                 in appsettings.json, Threads); in matrix mode, measures only that executor
          --executors <list>     matrix/advise: comma-separated kinds (default: threads,processes,sharedmemory);
                                 a kind that is not available is skipped with a note
          --workloads <list>     comma-separated: sum, primes, pipeline, inplace, race, quickstart
                                 (default: matrix sum,primes,pipeline,inplace; run sum,primes,race)
                                 sum: count += i, 4 items; primes: trial division, one range per worker;
                                 pipeline: a map over 2,000,000 doubles in 16 chunks, results stored in SQLite;
                                 inplace: a 32 MB buffer of doubles transformed in place, 16 chunks (writable
                                 shared-memory handles; by value on the process pool); race, quickstart: demos
          --workload <name>      advise: the workload to advise on (default: primes)
          --workers <n>          worker count (sets Executor:MaxConcurrency; default: one per core)
          --scale <x>            multiplies every workload's size (default 1: the article's sizes)
          --runs <n>             timed runs per cell, after a warm-up run; the median is shown (default 5)
          --output <dir>         where the pipeline's SQLite files, matrix.png and matrix.md go
                                 (default: <temp>/concurrency-matrix)
          --hang-timeout <s>     the ItemTimeout, in seconds, of the hung-item check (default 1)
          --may-crash            advise: the workload may crash its process
          --may-hang             advise: an item may hang, ignoring its token
          --<Section>:<Key> <v>  any other configuration value, e.g. --Executor:QueueCapacity 64
          -h, --help             show this help
        """;

    private static readonly Dictionary<string, string> ExecutorKinds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["threads"] = "Threads",
        ["processes"] = "Processes",
        ["sharedmemory"] = "SharedMemory",
    };

    private SampleOptions()
    {
    }

    /// <summary>Gets what the sample does.</summary>
    public SampleCommand Command { get; private init; }

    /// <summary>Gets a value indicating whether <c>--help</c> was given.</summary>
    public bool ShowHelp { get; private init; }

    /// <summary>Gets the executor kind given with <c>--executor</c> (e.g. <c>Threads</c>), or <see langword="null"/> to keep the configured one.</summary>
    public string? ExecutorKind { get; private init; }

    /// <summary>Gets the executor kinds the matrix and the advisor measure, in order.</summary>
    public IReadOnlyList<string> ExecutorKindsToMeasure { get; private init; } = DefaultExecutorKinds;

    /// <summary>Gets the worker count given with <c>--workers</c>, or <see langword="null"/> for the executor's default.</summary>
    public int? Workers { get; private init; }

    /// <summary>Gets the workloads to run, in the order given, without duplicates.</summary>
    public IReadOnlyList<string> Workloads { get; private init; } = DefaultWorkloads;

    /// <summary>Gets the factor applied to every workload's size.</summary>
    public double Scale { get; private init; } = 1;

    /// <summary>Gets the number of timed runs per matrix cell.</summary>
    public int Runs { get; private init; } = 5;

    /// <summary>Gets the folder for the pipeline's database files and the matrix's chart and table.</summary>
    public string OutputDirectory { get; private init; } = DefaultOutputDirectory;

    /// <summary>Gets the ItemTimeout of the hung-item check.</summary>
    public TimeSpan HangTimeout { get; private init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets a value indicating whether <c>--may-crash</c> was given (advise).</summary>
    public bool MayCrash { get; private init; }

    /// <summary>Gets a value indicating whether <c>--may-hang</c> was given (advise).</summary>
    public bool MayHang { get; private init; }

    /// <summary>Gets the <c>--Section:Key value</c> arguments, passed on to the configuration's command-line source.</summary>
    public IReadOnlyList<string> ConfigurationArguments { get; private init; } = [];

    /// <summary>Gets the default output folder: concurrency-matrix in the temporary folder.</summary>
    public static string DefaultOutputDirectory => Path.Combine(Path.GetTempPath(), "concurrency-matrix");

    /// <summary>Parses the command line.</summary>
    /// <param name="args">The arguments after <c>--</c>.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="args"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">An argument is unknown, lacks its value, or has an invalid value; the message says which and what is expected.</exception>
    public static SampleOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var help = false;
        SampleCommand? command = null;
        string? executor = null;
        IReadOnlyList<string>? executors = null;
        int? workers = null;
        IReadOnlyList<string>? workloads = null;
        double scale = 1;
        var runs = 5;
        var output = DefaultOutputDirectory;
        var hangTimeout = TimeSpan.FromSeconds(1);
        bool mayCrash = false, mayHang = false;
        var configuration = new List<string>();

        for (var i = 0; i < args.Length; i++)
        {
            var (name, inlineValue) = SplitArgument(args[i]);
            switch (name.ToLowerInvariant())
            {
                case "-h" or "--help" or "-?" or "/?":
                    help = true;
                    break;
                case "matrix" or "run" or "advise" when i == 0:
                    command = Enum.Parse<SampleCommand>(name, ignoreCase: true);
                    break;
                case "--executor":
                    executor = ParseExecutor(ValueOf(name, inlineValue, args, ref i));
                    break;
                case "--executors":
                    executors = ParseExecutors(ValueOf(name, inlineValue, args, ref i));
                    break;
                case "--workers":
                    workers = ParseInt(name, ValueOf(name, inlineValue, args, ref i), 1, 1024);
                    break;
                case "--workloads":
                    workloads = ParseWorkloads(name, ValueOf(name, inlineValue, args, ref i), KnownWorkloads);
                    break;
                case "--workload":
                    workloads = ParseWorkloads(name, ValueOf(name, inlineValue, args, ref i), MeasurableWorkloads);
                    break;
                case "--scale":
                    scale = ParseScale(ValueOf(name, inlineValue, args, ref i));
                    break;
                case "--runs":
                    runs = ParseInt(name, ValueOf(name, inlineValue, args, ref i), 1, 50);
                    break;
                case "--output":
                    output = ValueOf(name, inlineValue, args, ref i);
                    break;
                case "--hang-timeout":
                    hangTimeout = TimeSpan.FromSeconds(ParseInt(name, ValueOf(name, inlineValue, args, ref i), 1, 600));
                    break;
                case "--may-crash":
                    mayCrash = true;
                    break;
                case "--may-hang":
                    mayHang = true;
                    break;
                default:
                    if (name.StartsWith("--", StringComparison.Ordinal) && name.Contains(':', StringComparison.Ordinal))
                    {
                        configuration.Add(name);
                        configuration.Add(ValueOf(name, inlineValue, args, ref i));
                        break;
                    }

                    throw new FormatException($"Unknown argument '{args[i]}'. Run with --help to see the options.");
            }
        }

        // --executor alone keeps the sample's first behaviour: the workloads on that one executor.
        var resolved = command ?? (executor is not null ? SampleCommand.Run : SampleCommand.Matrix);
        if (resolved != SampleCommand.Run && executor is not null)
        {
            executors ??= [executor];
        }

        var chosen = workloads ?? resolved switch
        {
            SampleCommand.Matrix => DefaultMatrixWorkloads,
            SampleCommand.Advise => ["primes"],
            _ => DefaultWorkloads,
        };
        Check(resolved, chosen);

        return new SampleOptions
        {
            Command = resolved,
            ShowHelp = help,
            ExecutorKind = executor,
            ExecutorKindsToMeasure = executors ?? DefaultExecutorKinds,
            Workers = workers,
            Workloads = chosen,
            Scale = scale,
            Runs = runs,
            OutputDirectory = output,
            HangTimeout = hangTimeout,
            MayCrash = mayCrash,
            MayHang = mayHang,
            ConfigurationArguments = configuration,
        };
    }

    /// <summary>Gets the configuration values the options set: <c>Executor:Kind</c> and <c>Executor:MaxConcurrency</c> when given.</summary>
    /// <returns>The key-value pairs, for an in-memory configuration source.</returns>
    public IEnumerable<KeyValuePair<string, string?>> ToConfiguration()
    {
        if (ExecutorKind is not null)
        {
            yield return new("Executor:Kind", ExecutorKind);
        }

        if (Workers is { } workers)
        {
            yield return new("Executor:MaxConcurrency", workers.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void Check(SampleCommand command, IReadOnlyList<string> workloads)
    {
        if (command == SampleCommand.Run && workloads.FirstOrDefault(w => w is "pipeline" or "inplace") is { } matrixOnly)
        {
            throw new FormatException($"The {matrixOnly} workload runs in the matrix (the default command) or with advise, not with run/--executor alone: use --executors <kind> --workloads {matrixOnly}.");
        }

        if (command == SampleCommand.Advise && (workloads.Count != 1 || !MeasurableWorkloads.Contains(workloads[0])))
        {
            throw new FormatException($"advise takes one workload (--workload), one of: {string.Join(", ", MeasurableWorkloads)}; got '{string.Join(",", workloads)}'.");
        }
    }

    private static (string Name, string? Value) SplitArgument(string argument)
    {
        var equals = argument.IndexOf('=', StringComparison.Ordinal);
        return argument.StartsWith("--", StringComparison.Ordinal) && equals > 2
            ? (argument[..equals], argument[(equals + 1)..])
            : (argument, null);
    }

    private static string ValueOf(string name, string? inlineValue, string[] args, ref int i)
    {
        if (inlineValue is not null)
        {
            return inlineValue;
        }

        if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new FormatException($"Option '{name}' needs a value. Run with --help to see the options.");
        }

        i++;
        return args[i];
    }

    /// <summary>Maps the three names of this library's executors to their kinds; any other name is passed on, for <c>AddWorkExecutor</c> to accept or explain.</summary>
    private static string ParseExecutor(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new FormatException("Option '--executor' needs a kind: threads, processes or sharedmemory.");
        }

        return ExecutorKinds.TryGetValue(value.Trim(), out var kind) ? kind : value.Trim();
    }

    private static string[] ParseExecutors(string value)
    {
        var kinds = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(ParseExecutor)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();
        return kinds.Length > 0
            ? kinds
            : throw new FormatException("Option '--executors' needs at least one kind: threads, processes, sharedmemory.");
    }

    private static int ParseInt(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw new FormatException($"Option '{name}' must be a whole number from {min} to {max}, got '{value}'.");
        }

        return number;
    }

    private static double ParseScale(string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) || !(scale > 0 && scale <= 100))
        {
            throw new FormatException($"Option '--scale' must be a number above 0 and at most 100, got '{value}'.");
        }

        return scale;
    }

    private static string[] ParseWorkloads(string option, string value, IReadOnlyList<string> known)
    {
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant())
            .Distinct()
            .ToArray();
        if (names.Length == 0)
        {
            throw new FormatException($"Option '{option}' needs at least one of: {string.Join(", ", known)}.");
        }

        var unknown = names.Where(n => !known.Contains(n)).ToArray();
        if (unknown.Length > 0)
        {
            throw new FormatException($"Unknown workload '{string.Join("', '", unknown)}' in {option}. Known workloads: {string.Join(", ", known)}.");
        }

        return names;
    }
}
