using Microsoft.CodeAnalysis;

namespace Concurrency.Analyzers;

/// <summary>The descriptors of the portability diagnostics.</summary>
internal static class Descriptors
{
    private const string Category = "Portability";

    private const string Suppression = " When the workload only ever runs on threads, mark it [ThreadsOnlyWorkload].";

    public static readonly DiagnosticDescriptor WorkloadNotCreatable = Create(
        DiagnosticIds.WorkloadNotCreatable,
        "A worker process cannot create this workload type",
        "Workload type '{0}' cannot be created in a worker process: {1}",
        "A worker process creates the workload from its type name, so the type must be a public class (with public containing types), not abstract, with a public parameterless constructor. The thread executor runs any instance; the process executors reject the others when the first item is submitted." + Suppression);

    public static readonly DiagnosticDescriptor StateDoesNotTravel = Create(
        DiagnosticIds.StateDoesNotTravel,
        "Workload state that Execute uses does not travel to worker processes",
        "Workload '{0}': {1}",
        "A worker process receives a copy of the workload made by the serializer: only public members with a public setter (or a matching constructor parameter) are copied; the rest has the value the public parameterless constructor gives. And a change Execute makes to the workload is seen by every item on threads but stays in the worker's copy." + Suppression,
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor MutableStaticState = Create(
        DiagnosticIds.MutableStaticState,
        "Execute uses mutable static state",
        "Workload '{0}': {1}",
        "Static state is one copy shared by every item on threads and one copy per worker process elsewhere, starting from the static initializer: counters, registries filled at startup and caches behave differently. Readonly immutable data and constants are not reported; mark a cache that may differ per process [PerProcessCache]." + Suppression,
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor NotSerializableUnchanged = Create(
        DiagnosticIds.NotSerializableUnchanged,
        "A type the workload sends or receives does not survive the serializer unchanged",
        "Workload '{0}': {1}",
        "Worker processes receive the workload and each input, and send back each result, through MessagePack's contractless resolver, which creates only the declared type of each member, writes public settable members and constructor parameters, and reads public members. Members typed object, an interface or an abstract class, delegates, pointers, ref structs, non-public types and types without a usable constructor either fail in a worker or arrive changed." + Suppression);

    public static readonly DiagnosticDescriptor DelegateWorkload = Create(
        DiagnosticIds.DelegateWorkload,
        "A workload built from a delegate cannot travel to a worker process",
        "Workload '{0}': {1}",
        "A delegate (a lambda, a method group, what a closure captured) exists only in the process that made it: a worker process cannot receive it, so a workload that holds one fails there, or runs without it." + Suppression);

    private static DiagnosticDescriptor Create(string id, string title, string message, string description, params string[] tags) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, description, HelpLinks.Base + id + ".md", tags);
}
