namespace Concurrency.Analyzers;

/// <summary>The identifiers of the portability diagnostics, one page each under docs/analyzers.</summary>
public static class DiagnosticIds
{
    /// <summary>A worker process cannot create the workload type.</summary>
    public const string WorkloadNotCreatable = "CONC001";

    /// <summary>Workload state that Execute uses does not travel to worker processes, or Execute changes it.</summary>
    public const string StateDoesNotTravel = "CONC002";

    /// <summary>Execute, or code it calls, uses mutable static state.</summary>
    public const string MutableStaticState = "CONC003";

    /// <summary>A type the workload sends or receives does not survive the default serializer unchanged.</summary>
    public const string NotSerializableUnchanged = "CONC004";

    /// <summary>A workload built from a delegate, which cannot travel to a worker process.</summary>
    public const string DelegateWorkload = "CONC005";
}
