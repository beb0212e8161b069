using System.Globalization;

namespace Concurrency.Samples;

/// <summary>The sample's command line, parsed: which workloads to run, on which executor, with how many workers.</summary>
/// <remarks>
/// <c>--executor</c> and <c>--workers</c> become the configuration values <c>Executor:Kind</c> and
/// <c>Executor:MaxConcurrency</c> (see <see cref="ToConfiguration"/>), so they override appsettings.json
/// exactly as any other configuration source would. Arguments of the form <c>--Section:Key value</c> (with a
/// colon) are passed to the configuration unchanged, e.g. <c>--Executor:QueueCapacity 64</c>.
/// </remarks>
public sealed class SampleOptions
{
    /// <summary>The workloads run when <c>--workloads</c> is not given.</summary>
    public static readonly IReadOnlyList<string> DefaultWorkloads = ["sum", "primes", "race"];

    /// <summary>Every workload name <c>--workloads</c> accepts.</summary>
    public static readonly IReadOnlyList<string> KnownWorkloads = ["sum", "primes", "race", "quickstart"];

    /// <summary>The usage text that <c>--help</c> prints.</summary>
    public const string Usage = """
        Runs the article's CPU workloads sequentially and on an executor chosen by configuration.

        Usage: dotnet run -c Release --project samples/Concurrency.Samples -- [options]

        Options:
          --executor <kind>      threads | processes | sharedmemory (sets Executor:Kind;
                                 default: the value in appsettings.json, Threads)
          --workloads <list>     comma-separated: sum, primes, race, quickstart
                                 (default: sum,primes,race)
          --workers <n>          worker count (sets Executor:MaxConcurrency; default: one per core)
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

    /// <summary>Gets a value indicating whether <c>--help</c> was given.</summary>
    public bool ShowHelp { get; private init; }

    /// <summary>Gets the executor kind given with <c>--executor</c> (e.g. <c>Threads</c>), or <see langword="null"/> to keep the configured one.</summary>
    public string? ExecutorKind { get; private init; }

    /// <summary>Gets the worker count given with <c>--workers</c>, or <see langword="null"/> for the executor's default.</summary>
    public int? Workers { get; private init; }

    /// <summary>Gets the workloads to run, in the order given, without duplicates.</summary>
    public IReadOnlyList<string> Workloads { get; private init; } = DefaultWorkloads;

    /// <summary>Gets the <c>--Section:Key value</c> arguments, passed on to the configuration's command-line source.</summary>
    public IReadOnlyList<string> ConfigurationArguments { get; private init; } = [];

    /// <summary>Parses the command line.</summary>
    /// <param name="args">The arguments after <c>--</c>.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="args"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">An argument is unknown, lacks its value, or has an invalid value; the message says which and what is expected.</exception>
    public static SampleOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var help = false;
        string? executor = null;
        int? workers = null;
        IReadOnlyList<string> workloads = DefaultWorkloads;
        var configuration = new List<string>();

        for (var i = 0; i < args.Length; i++)
        {
            var (name, inlineValue) = SplitArgument(args[i]);
            switch (name.ToLowerInvariant())
            {
                case "-h" or "--help" or "-?" or "/?":
                    help = true;
                    break;
                case "--executor":
                    executor = ParseExecutor(ValueOf(name, inlineValue, args, ref i));
                    break;
                case "--workers":
                    workers = ParseWorkers(ValueOf(name, inlineValue, args, ref i));
                    break;
                case "--workloads":
                    workloads = ParseWorkloads(ValueOf(name, inlineValue, args, ref i));
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

        return new SampleOptions
        {
            ShowHelp = help,
            ExecutorKind = executor,
            Workers = workers,
            Workloads = workloads,
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

    private static int ParseWorkers(string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var workers) || workers < 1)
        {
            throw new FormatException($"Option '--workers' must be a whole number of at least 1, got '{value}'.");
        }

        return workers;
    }

    private static string[] ParseWorkloads(string value)
    {
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant())
            .Distinct()
            .ToArray();
        if (names.Length == 0)
        {
            throw new FormatException($"Option '--workloads' needs at least one of: {string.Join(", ", KnownWorkloads)}.");
        }

        var unknown = names.Where(n => !KnownWorkloads.Contains(n)).ToArray();
        if (unknown.Length > 0)
        {
            throw new FormatException($"Unknown workload '{string.Join("', '", unknown)}' in --workloads. Known workloads: {string.Join(", ", KnownWorkloads)}.");
        }

        return names;
    }
}
