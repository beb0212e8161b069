using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Concurrency.Analyzers;

/// <summary>
/// At the end of the compilation, follows each workload's Execute through the methods, accessors and constructors it
/// calls in the compilation, and reports the workload state (CONC002) and the static state (CONC003) it uses.
/// </summary>
internal sealed class ExecuteReachability
{
    private readonly KnownTypes _known;
    private readonly AccessRecorder _recorder;

    public ExecuteReachability(KnownTypes known, AccessRecorder recorder)
    {
        _known = known;
        _recorder = recorder;
    }

    public void Report(CompilationAnalysisContext context, List<INamedTypeSymbol> workloads)
    {
        var reportedState = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        var statics = new Dictionary<ISymbol, List<(INamedTypeSymbol Workload, Access Use, ISymbol Root)>>(SymbolEqualityComparer.Default);
        var staticOrder = new List<ISymbol>();
        foreach (var workload in workloads.OrderBy(w => w.ToDisplayString(), System.StringComparer.Ordinal))
        {
            var reached = Reach(workload, out var roots);
            var state = new Dictionary<ISymbol, List<Access>>(SymbolEqualityComparer.Default);
            var stateOrder = new List<ISymbol>();
            foreach (var owner in reached)
            {
                if (!_recorder.ByOwner.TryGetValue(owner, out var accesses))
                {
                    continue;
                }

                var inHierarchy = IsInHierarchy(workload, owner.ContainingType);
                foreach (var access in accesses.OrderBy(a => a.Location.SourceSpan.Start))
                {
                    if (access.Kind == AccessKind.Call)
                    {
                        continue;
                    }

                    if (access.Target.IsStatic)
                    {
                        if (!statics.TryGetValue(access.Target, out var uses))
                        {
                            statics[access.Target] = uses = [];
                            staticOrder.Add(access.Target);
                        }

                        uses.Add((workload, access, roots.Contains(owner) ? owner : null!));
                    }
                    else if (access.OnThis && inHierarchy)
                    {
                        if (!state.TryGetValue(access.Target, out var uses))
                        {
                            state[access.Target] = uses = [];
                            stateOrder.Add(access.Target);
                        }

                        uses.Add(access);
                    }
                }
            }

            foreach (var member in stateOrder)
            {
                if (reportedState.Add(member) && DescribeState(workload, member, state[member]) is { } message)
                {
                    var use = state[member][0];
                    var declaration = member.Locations.FirstOrDefault(l => l.IsInSource) ?? use.Location;
                    var properties = member is IFieldSymbol && !message.StartsWith("Execute changes", System.StringComparison.Ordinal)
                        ? ImmutableDictionary<string, string?>.Empty.Add(PortabilityAnalyzer.FixProperty, PortabilityAnalyzer.FixMakeProperty)
                        : null;
                    context.ReportDiagnostic(Diagnostic.Create(Descriptors.StateDoesNotTravel, declaration, [use.Location], properties, Name(workload), message));
                }
            }
        }

        foreach (var member in staticOrder)
        {
            if (DescribeStatic(member, statics[member]) is { } message)
            {
                var uses = statics[member];
                var workloadNames = uses.Select(u => u.Workload).Distinct<INamedTypeSymbol>(SymbolEqualityComparer.Default).ToList();
                if (workloadNames.Count > 1)
                {
                    message += $" {workloadNames.Count - 1} more workload{(workloadNames.Count > 2 ? "s use" : " uses")} it too.";
                }

                var declaration = member.Locations.FirstOrDefault(l => l.IsInSource) ?? uses[0].Use.Location;
                context.ReportDiagnostic(Diagnostic.Create(Descriptors.MutableStaticState, declaration, [uses[0].Use.Location], Name(workloadNames[0]), message));
            }
        }
    }

    /// <summary>Gets the members Execute runs: its implementations and, transitively, what they call in the compilation.</summary>
    private HashSet<ISymbol> Reach(INamedTypeSymbol workload, out HashSet<ISymbol> roots)
    {
        roots = new HashSet<ISymbol>(_known.ExecuteMethods(workload).Select(m => (ISymbol)m.OriginalDefinition), SymbolEqualityComparer.Default);
        var reached = new HashSet<ISymbol>(roots, SymbolEqualityComparer.Default);
        var queue = new Queue<ISymbol>(roots);
        while (queue.Count > 0)
        {
            var owner = queue.Dequeue();
            if (!_recorder.ByOwner.TryGetValue(owner, out var accesses))
            {
                continue;
            }

            foreach (var access in accesses)
            {
                if (access.Kind != AccessKind.Call || access.Target is not IMethodSymbol method)
                {
                    continue;
                }

                if (reached.Add(method))
                {
                    queue.Enqueue(method);
                }

                // A virtual call on the workload runs the workload's override.
                if ((method.IsVirtual || method.IsAbstract || method.IsOverride) && IsInHierarchy(workload, method.ContainingType) &&
                    Override(workload, method) is { } implementation && reached.Add(implementation))
                {
                    queue.Enqueue(implementation);
                }
            }
        }

        return reached;
    }

    private static IMethodSymbol? Override(INamedTypeSymbol workload, IMethodSymbol method)
    {
        for (var type = workload; type is not null; type = type.BaseType)
        {
            foreach (var candidate in type.GetMembers(method.Name).OfType<IMethodSymbol>())
            {
                for (var overridden = candidate; overridden is not null; overridden = overridden.OverriddenMethod)
                {
                    if (SymbolEqualityComparer.Default.Equals(overridden.OriginalDefinition, method))
                    {
                        return candidate.OriginalDefinition;
                    }
                }
            }
        }

        return null;
    }

    private static bool IsInHierarchy(INamedTypeSymbol workload, INamedTypeSymbol? type)
    {
        for (var current = workload; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, type?.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Describes why the workload's <paramref name="member"/>, as Execute uses it, behaves differently in a worker; null when it does not.</summary>
    private string? DescribeState(INamedTypeSymbol workload, ISymbol member, List<Access> uses)
    {
        if (uses.FirstOrDefault(u => u.Kind == AccessKind.Write) is { } write)
        {
            return $"Execute changes '{member.Name}' (in {Describe(write.Owner)}): on threads every item shares this one workload object and sees the other items' changes, while in worker processes each worker changes its own copy and nothing comes back. Keep per-item values in locals and return results in the result.";
        }

        if (member is IParameterSymbol parameter)
        {
            return $"Execute uses the primary constructor parameter '{parameter.Name}', which does not travel to worker processes: a worker creates the workload with its public parameterless constructor. Make it a public property with a public setter (or init).";
        }

        var members = SerializerModel.Members(workload);
        var constructor = SerializerModel.Constructor(workload, members, out _);
        var serialized = members.FirstOrDefault(m => SymbolEqualityComparer.Default.Equals(m.Symbol.OriginalDefinition, member));
        if (serialized.Symbol is not null && SerializerModel.Travels(serialized, constructor))
        {
            return null;
        }

        if (!_recorder.Changes.TryGetValue(member, out var changes))
        {
            return null;
        }

        var setter = changes.Where(c => !SetsWhatTravels(c.Owner, member, workload, members, constructor)).OrderBy(c => c.Location.SourceSpan.Start).FirstOrDefault();
        if (setter is null)
        {
            return null;
        }

        return $"Execute reads '{member.Name}', which does not travel to worker processes ({WhyNot(member)}), and {Describe(setter.Owner)} sets it: a worker runs Execute with the value the public parameterless constructor gives. Make it a public property with a public setter (or init).";
    }

    /// <summary>Gets whether an assignment by <paramref name="owner"/> also happens when a worker recreates the workload.</summary>
    private static bool SetsWhatTravels(ISymbol owner, ISymbol member, INamedTypeSymbol workload, List<SerializedMember> members, IMethodSymbol? constructor) =>
        owner switch
        {
            IFieldSymbol or IPropertySymbol => SymbolEqualityComparer.Default.Equals(owner, member), // Its initializer.
            IMethodSymbol { MethodKind: MethodKind.Constructor } method =>
                (method.Parameters.IsEmpty && SymbolEqualityComparer.Default.Equals(method.ContainingType, member.ContainingType)) ||
                SymbolEqualityComparer.Default.Equals(method, constructor?.OriginalDefinition),
            IMethodSymbol { MethodKind: MethodKind.PropertySet, AssociatedSymbol: IPropertySymbol property } =>
                members.Any(m => SymbolEqualityComparer.Default.Equals(m.Symbol.OriginalDefinition, property) && SerializerModel.Travels(m, constructor)),
            _ => false,
        } && IsInHierarchy(workload, owner.ContainingType);

    private static string WhyNot(ISymbol member) => member switch
    {
        IFieldSymbol { DeclaredAccessibility: not Accessibility.Public } field => $"it is a {TypeGraph.Accessibility(field.DeclaredAccessibility)} field",
        IFieldSymbol => "it is a readonly field no constructor parameter matches",
        IPropertySymbol { DeclaredAccessibility: not Accessibility.Public } property => $"it is a {TypeGraph.Accessibility(property.DeclaredAccessibility)} property",
        IPropertySymbol { SetMethod: { } setter } => $"its setter is {TypeGraph.Accessibility(setter.DeclaredAccessibility)}",
        _ => "it is get-only and no constructor parameter matches it",
    };

    /// <summary>Describes why static <paramref name="member"/> behaves differently in worker processes; null when it does not.</summary>
    private string? DescribeStatic(ISymbol member, List<(INamedTypeSymbol Workload, Access Use, ISymbol Root)> uses)
    {
        if (KnownTypes.HasAttribute(member, _known.PerProcessCache) || KnownTypes.HasAttribute(member, _known.ThreadStatic))
        {
            return null;
        }

        var type = member is IFieldSymbol field ? field.Type : ((IPropertySymbol)member).Type;
        if (_known.ThreadLocal is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, _known.ThreadLocal))
        {
            return null;
        }

        string reason;
        if (member is IFieldSymbol { IsReadOnly: false } || member is IPropertySymbol { SetMethod: not null })
        {
            reason = "it is not readonly";
        }
        else if (_recorder.Changes.TryGetValue(member, out var changes) &&
                 changes.Where(c => !IsTypeInitialization(c.Owner, member)).OrderBy(c => c.Location.SourceSpan.Start).FirstOrDefault() is { } change)
        {
            reason = $"{Describe(change.Owner)} changes what it holds";
        }
        else
        {
            return null;
        }

        var first = uses[0].Use;
        var verb = uses.Any(u => u.Use.Kind != AccessKind.Read) ? "writes" : "reads";
        var by = uses[0].Root is not null ? "Execute" : $"{Describe(first.Owner)}, which Execute calls,";
        return $"{by} {verb} the static '{member.ContainingType.Name}.{member.Name}', and {reason}: on threads every item shares one copy, while each worker process has its own, which starts as the static initializer leaves it. Pass the data in the input and return it in the result, make it readonly immutable data, or mark a cache [PerProcessCache].";
    }

    private static bool IsTypeInitialization(ISymbol owner, ISymbol member) =>
        SymbolEqualityComparer.Default.Equals(owner.ContainingType, member.ContainingType) &&
        (owner is IMethodSymbol { MethodKind: MethodKind.StaticConstructor } || (owner is IFieldSymbol or IPropertySymbol && owner.IsStatic));

    private static string Describe(ISymbol owner) => owner switch
    {
        IMethodSymbol { MethodKind: MethodKind.Constructor } constructor => $"the constructor {constructor.ContainingType.Name}({string.Join(", ", constructor.Parameters.Select(p => TypeGraph.Name(p.Type)))})",
        IMethodSymbol { MethodKind: MethodKind.PropertySet or MethodKind.PropertyGet, AssociatedSymbol: { } property } => $"the property {property.ContainingType.Name}.{property.Name}",
        IMethodSymbol method => $"{method.ContainingType.Name}.{method.Name}",
        _ => $"the initializer of {owner.ContainingType?.Name}.{owner.Name}",
    };

    private static string Name(INamedTypeSymbol type) => TypeGraph.Name(type);
}
