using System.Globalization;
using Concurrency.Testing.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Concurrency.Testing;

/// <summary>
/// Runs a workload over the same inputs on every executor kind the application references and checks that each kind
/// gives the same results and fails the same items with the same exception types as the first.
/// </summary>
/// <remarks>
/// <para>
/// Switching the isolation model is one line of configuration, but a workload written against threads can depend on
/// what only threads give it: state set in its constructor or kept in private fields (a worker creates the workload
/// from its public properties), members typed <see cref="object"/> or an interface (the serializer keeps the declared
/// type), static state shared between items (each worker process has its own). The build-time analyzers report most of
/// this; the verifier proves it on real inputs, in a unit test:
/// </para>
/// <code>
/// [Fact]
/// public Task Pricing_IsTheSameOnEveryKind() =&gt;
///     WorkloadVerifier.VerifyAsync(new PriceWorkload { Currency = "EUR" }, TestOrders.All);
/// </code>
/// <para>
/// Each kind runs with its defaults (or <see cref="WorkloadVerifierOptions.Configuration"/>) in its own service
/// container, which is disposed afterwards: no thread, worker process or shared-memory file is left. Results are
/// compared by value (<see cref="WorkloadVerificationException.MemberPath"/> names the first member that differs);
/// failures by the type of the workload's original exception.
/// </para>
/// </remarks>
public static class WorkloadVerifier
{
    /// <summary>The in-process kind, the baseline when the application references it.</summary>
    private const string ThreadsKind = "Threads";

    /// <summary>Runs <paramref name="workload"/> over <paramref name="inputs"/> on every kind, and throws at the first difference.</summary>
    /// <typeparam name="TInput">The type of the inputs.</typeparam>
    /// <typeparam name="TResult">The type of the results.</typeparam>
    /// <param name="workload">The workload, as the application configures it.</param>
    /// <param name="inputs">The inputs; enumerated once.</param>
    /// <param name="options">Which kinds, and how each executor is configured; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <returns>A task that completes when every kind agreed with the first.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="workload"/> or <paramref name="inputs"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">Fewer than two kinds are referenced or named: there is nothing to compare.</exception>
    /// <exception cref="WorkloadVerificationException">A kind gave another result or exception type for an input, or could not run the workload.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task VerifyAsync<TInput, TResult>(
        IWorkload<TInput, TResult> workload,
        IEnumerable<TInput> inputs,
        WorkloadVerifierOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= new WorkloadVerifierOptions();
        var items = inputs.ToList();
        var kinds = KindsToVerify(options);

        var baseline = await RunAsync(workload, items, kinds[0], baseline: null, options, cancellationToken).ConfigureAwait(false);
        foreach (var kind in kinds.Skip(1))
        {
            var outcomes = await RunAsync(workload, items, kind, kinds[0], options, cancellationToken).ConfigureAwait(false);
            Compare(workload, kinds[0], baseline, kind, outcomes);
        }
    }

    private static List<string> KindsToVerify(WorkloadVerifierOptions options)
    {
        var kinds = options.Kinds.Count > 0
            ? options.Kinds.Distinct(StringComparer.OrdinalIgnoreCase).ToList()
            : [.. WorkExecutorServiceCollectionExtensions.AvailableKinds.OrderBy(k => string.Equals(k, ThreadsKind, StringComparison.OrdinalIgnoreCase) ? 0 : 1)];
        if (kinds.Count < 2)
        {
            var referenced = WorkExecutorServiceCollectionExtensions.AvailableKinds;
            throw new InvalidOperationException(
                $"WorkloadVerifier needs at least two executor kinds to compare; it has {(kinds.Count == 0 ? "none" : kinds[0])}. " +
                $"The kinds this application references are: {(referenced.Count == 0 ? "none" : string.Join(", ", referenced))}. " +
                "Reference another executor package (Concurrency.Threads, Concurrency.Processes, Concurrency.SharedMemory) from the test project, or name the kinds in WorkloadVerifierOptions.Kinds.");
        }

        return kinds;
    }

    private static async Task<WorkOutcome<TResult>[]> RunAsync<TInput, TResult>(
        IWorkload<TInput, TResult> workload,
        List<TInput> inputs,
        string kind,
        string? baseline,
        WorkloadVerifierOptions options,
        CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder();
        if (options.Configuration is { } section)
        {
            configuration.AddConfiguration(section);
        }

        configuration.AddInMemoryCollection(
        [
            new(WorkExecutorServiceCollectionExtensions.KindKey, kind),
            new(nameof(IWorkExecutor.MaxConcurrency), options.MaxConcurrency.ToString(CultureInfo.InvariantCulture)),
        ]);
        var services = new ServiceCollection();
        options.ConfigureServices?.Invoke(kind, services);
        var outcomes = new WorkOutcome<TResult>[inputs.Count];
        try
        {
            services.AddWorkExecutor(configuration.Build());
            var provider = services.BuildServiceProvider();
            await using (provider.ConfigureAwait(false))
            {
                var executor = provider.GetRequiredService<IWorkExecutor>();
                await foreach (var outcome in executor.MapOutcomesAsync(workload, inputs, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    outcomes[outcome.Index] = outcome;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var what = baseline is null
                ? $"the baseline kind {kind}"
                : $"{kind} (the baseline, {baseline}, could)";
            throw new WorkloadVerificationException(
                $"Workload {Name(workload.GetType())} could not run on {what}: {ex.GetType().Name}: {ex.Message}",
                baseline ?? kind,
                kind,
                inputIndex: -1,
                memberPath: string.Empty,
                ex);
        }

        return outcomes;
    }

    private static void Compare<TResult>(object workload, string baselineKind, WorkOutcome<TResult>[] baseline, string kind, WorkOutcome<TResult>[] outcomes)
    {
        for (var i = 0; i < baseline.Length; i++)
        {
            var (expected, actual) = (baseline[i], outcomes[i]);
            string? difference = null;
            var path = string.Empty;
            if (expected.Succeeded != actual.Succeeded)
            {
                difference = expected.Succeeded
                    ? $"{baselineKind} returned {StructuralDiff.Describe(expected.Result)}; {kind} failed with {Describe(actual.Exception!)}"
                    : $"{baselineKind} failed with {Describe(expected.Exception!)}; {kind} returned {StructuralDiff.Describe(actual.Result)}";
            }
            else if (!expected.Succeeded)
            {
                var (left, right) = (OriginalType(expected.Exception!), OriginalType(actual.Exception!));
                if (!string.Equals(left, right, StringComparison.Ordinal))
                {
                    difference = $"{baselineKind} failed with {Describe(expected.Exception!)}; {kind} failed with {Describe(actual.Exception!)}";
                }
            }
            else if (StructuralDiff.Find(expected.Result, actual.Result) is { } found)
            {
                path = found.Path;
                difference = $"the result{(path.Length == 0 ? string.Empty : $"'s {path.TrimStart('.')}")} is {found.Expected} on {baselineKind} and {found.Actual} on {kind}";
            }

            if (difference is not null)
            {
                throw new WorkloadVerificationException(
                    $"Workload {Name(workload.GetType())} behaves differently on {kind} than on {baselineKind} for input {i}: {difference}.",
                    baselineKind,
                    kind,
                    i,
                    path);
            }
        }
    }

    /// <summary>The type of the exception the workload threw, wherever it ran; otherwise the failure's own type.</summary>
    private static string OriginalType(Exception exception) =>
        exception is WorkloadException workload ? workload.RemoteExceptionType : Name(exception.GetType());

    private static string Describe(Exception exception) =>
        exception is WorkloadException ? $"{OriginalType(exception)} ({exception.Message})" : $"{Name(exception.GetType())}: {exception.Message}";

    private static string Name(Type type) => type.FullName ?? type.Name;
}
