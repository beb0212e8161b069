using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Concurrency.Analyzers;

/// <summary>
/// Reports what changes, or fails, when a workload written for the thread executor runs in worker processes
/// (CONC001 to CONC005). Nothing runs unless the compilation references Concurrency.Core.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PortabilityAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic property that names the obvious fix, if there is one.</summary>
    public const string FixProperty = "Fix";

    /// <summary>The <see cref="FixProperty"/> value for "make the workload public".</summary>
    public const string FixMakePublic = "MakePublic";

    /// <summary>The <see cref="FixProperty"/> value for "add a public parameterless constructor".</summary>
    public const string FixAddConstructor = "AddConstructor";

    /// <summary>The <see cref="FixProperty"/> value of a CONC002 on a field: make it a public settable property.</summary>
    public const string FixMakeProperty = "MakeProperty";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.WorkloadNotCreatable,
        Descriptors.StateDoesNotTravel,
        Descriptors.MutableStaticState,
        Descriptors.NotSerializableUnchanged,
        Descriptors.DelegateWorkload);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypes.Create(start.Compilation) is not { } known)
            {
                return;
            }

            start.RegisterSymbolAction(c => AnalyzeType(c, known), SymbolKind.NamedType);
            start.RegisterOperationAction(c => AnalyzeCreation(c, known), OperationKind.ObjectCreation);

            var workloads = new List<INamedTypeSymbol>();
            CollectWorkloads(start.Compilation.Assembly.GlobalNamespace, known, workloads);
            if (workloads.Count == 0)
            {
                return;
            }

            var state = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
            foreach (var workload in workloads)
            {
                for (var type = workload; type is not null && !type.DeclaringSyntaxReferences.IsEmpty; type = type.BaseType)
                {
                    state.Add(type.OriginalDefinition);
                }
            }

            var recorder = new AccessRecorder(known, state);
            start.RegisterOperationAction(
                recorder.Record,
                OperationKind.FieldReference,
                OperationKind.PropertyReference,
                OperationKind.ParameterReference,
                OperationKind.Invocation,
                OperationKind.ObjectCreation,
                OperationKind.MethodReference);
            start.RegisterCompilationEndAction(end => new ExecuteReachability(known, recorder).Report(end, workloads));
        });
    }

    private static void CollectWorkloads(INamespaceOrTypeSymbol container, KnownTypes known, List<INamedTypeSymbol> workloads)
    {
        foreach (var member in container.GetMembers())
        {
            if (member is INamespaceOrTypeSymbol nested)
            {
                if (nested is INamedTypeSymbol type && !type.IsAbstract && !known.WorkloadInterfaces(type).IsEmpty && !known.IsThreadsOnly(type))
                {
                    workloads.Add(type);
                }

                CollectWorkloads(nested, known, workloads);
            }
        }
    }

    private static void AnalyzeType(SymbolAnalysisContext context, KnownTypes known)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var contracts = known.WorkloadInterfaces(type);
        if (contracts.IsEmpty || type.IsAbstract || known.IsThreadsOnly(type))
        {
            return;
        }

        var name = TypeGraph.Name(type);
        var declaration = type.Locations.FirstOrDefault(l => l.IsInSource);
        if (declaration is null)
        {
            return;
        }

        if (NotCreatable(type) is { } reason)
        {
            var fix = reason.StartsWith("it is not public.", System.StringComparison.Ordinal) ? FixMakePublic
                : reason.StartsWith("it has no public parameterless constructor", System.StringComparison.Ordinal) ? FixAddConstructor
                : null;
            var properties = fix is null ? null : ImmutableDictionary<string, string?>.Empty.Add(FixProperty, fix);
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.WorkloadNotCreatable, declaration, properties, name, reason));
        }

        var graph = new TypeGraph(known);
        var members = SerializerModel.Members(type);
        var constructor = SerializerModel.Constructor(type, members, out _);
        foreach (var member in members)
        {
            if (SerializerModel.Travels(member, constructor) && !known.IsDelegateLike(member.Type))
            {
                graph.Visit(member.Type, $"'{name}.{member.Symbol.Name}'", member.Symbol.Locations.FirstOrDefault(l => l.IsInSource));
            }
        }

        var contractLocation = ContractLocation(type) ?? declaration;
        foreach (var contract in contracts)
        {
            graph.Visit(contract.TypeArguments[0], $"The input ({TypeGraph.Name(contract.TypeArguments[0])})", null);
            graph.Visit(contract.TypeArguments[1], $"The result ({TypeGraph.Name(contract.TypeArguments[1])})", null);
        }

        foreach (var (message, member) in graph.Problems)
        {
            var location = member is not null && member.SourceTree == declaration.SourceTree && IsWithin(type, member) ? member : contractLocation;
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.NotSerializableUnchanged,
                location,
                member is not null && location != member ? [member] : null,
                name,
                Sentence(message)));
        }

        ReportDelegateMembers(context, known, type, name, members, constructor);
    }

    /// <summary>Gets why a worker cannot create <paramref name="type"/>, in the order and words of the worker's own check.</summary>
    internal static string? NotCreatable(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.DeclaredAccessibility != Accessibility.Public)
            {
                return current.Equals(type, SymbolEqualityComparer.Default)
                    ? "it is not public. Make it public"
                    : $"it is not public: it is nested in {TypeGraph.Name(current)}, which is not public. Make every type it is nested in public, or move it out";
            }
        }

        if (type.TypeKind != TypeKind.Class)
        {
            return "it is not a concrete class (it is a struct). Make it a sealed class";
        }

        if (!type.InstanceConstructors.Any(c => c.Parameters.IsEmpty && c.DeclaredAccessibility == Accessibility.Public))
        {
            return "it has no public parameterless constructor. Add one; values the worker needs travel in public settable properties";
        }

        return null;
    }

    private static void ReportDelegateMembers(SymbolAnalysisContext context, KnownTypes known, INamedTypeSymbol type, string name, List<SerializedMember> members, IMethodSymbol? constructor)
    {
        foreach (var member in type.GetMembers())
        {
            var memberType = member switch
            {
                IFieldSymbol { IsStatic: false, IsImplicitlyDeclared: false } field => field.Type,
                IPropertySymbol { IsStatic: false } property when SerializerModel.IsStored(property) => property.Type,
                _ => null,
            };
            if (memberType is null || !known.IsDelegateLike(memberType) || member.Locations.FirstOrDefault(l => l.IsInSource) is not { } location)
            {
                continue;
            }

            var travels = members.Any(m => SymbolEqualityComparer.Default.Equals(m.Symbol, member) && SerializerModel.Travels(m, constructor));
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.DelegateWorkload,
                location,
                name,
                $"'{member.Name}' holds a delegate ({TypeGraph.Name(memberType)}), which a worker process cannot receive, nor what it captured: {(travels ? "the serializer fails and so does every item" : "the worker's copy runs with it null")}. Pass the data in the input or in public settable properties, and write the computation in Execute."));
        }

        foreach (var constructorSymbol in type.InstanceConstructors)
        {
            if (!constructorSymbol.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax))
            {
                continue;
            }

            foreach (var parameter in constructorSymbol.Parameters)
            {
                if (known.IsDelegateLike(parameter.Type) && parameter.Locations.FirstOrDefault(l => l.IsInSource) is { } location)
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.DelegateWorkload,
                        location,
                        name,
                        $"the primary constructor parameter '{parameter.Name}' is a delegate ({TypeGraph.Name(parameter.Type)}), which a worker process cannot receive, nor what it captured: the worker's copy runs without it. Pass the data in the input or in public settable properties, and write the computation in Execute."));
                }
            }
        }
    }

    private static void AnalyzeCreation(OperationAnalysisContext context, KnownTypes known)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        if (creation.Type is not INamedTypeSymbol type || known.WorkloadInterfaces(type).IsEmpty || known.IsThreadsOnly(type.OriginalDefinition))
        {
            return;
        }

        var name = TypeGraph.Name(type);
        if (type.IsGenericType && !type.OriginalDefinition.DeclaringSyntaxReferences.IsEmpty &&
            NotCreatable(type.OriginalDefinition) is null && !SerializerModel.IsEffectivelyPublic(type))
        {
            var hidden = type.TypeArguments.First(a => !SerializerModel.IsEffectivelyPublic(a));
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.WorkloadNotCreatable,
                creation.Syntax.GetLocation(),
                name,
                $"it is not public: its type argument {TypeGraph.Name(hidden)} is not public. Make {TypeGraph.Name(hidden)} public"));
        }

        if (SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, context.Compilation.Assembly))
        {
            return; // Declared here: its delegate members are reported on their declarations.
        }

        foreach (var argument in creation.Arguments)
        {
            if (argument.Parameter is { } parameter && known.IsDelegateLike(parameter.Type))
            {
                ReportDelegateArgument(context, argument.Value, name, parameter.Name);
            }
        }

        if (creation.Initializer is not null)
        {
            foreach (var initializer in creation.Initializer.Initializers)
            {
                if (initializer is ISimpleAssignmentOperation { Target: IMemberReferenceOperation target } assignment && target.Type is { } targetType && known.IsDelegateLike(targetType))
                {
                    ReportDelegateArgument(context, assignment.Value, name, target.Member.Name);
                }
            }
        }
    }

    private static void ReportDelegateArgument(OperationAnalysisContext context, IOperation value, string name, string slot) =>
        context.ReportDiagnostic(Diagnostic.Create(
            Descriptors.DelegateWorkload,
            value.Syntax.GetLocation(),
            name,
            $"it is built from a delegate (for '{slot}'), which a worker process cannot receive, nor what it captured. Write the computation as a workload class whose data travels in its input or its public settable properties."));

    /// <summary>Gets the <c>IWorkload&lt;,&gt;</c> entry of the type's base list, where input and result problems are reported.</summary>
    private static Location? ContractLocation(INamedTypeSymbol type)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is TypeDeclarationSyntax { BaseList: { } baseList })
            {
                foreach (var entry in baseList.Types)
                {
                    var syntax = entry.Type is QualifiedNameSyntax qualified ? qualified.Right : entry.Type;
                    if (syntax is GenericNameSyntax { Identifier.ValueText: "IWorkload", TypeArgumentList.Arguments.Count: 2 })
                    {
                        return entry.GetLocation();
                    }
                }
            }
        }

        return null;
    }

    private static bool IsWithin(INamedTypeSymbol type, Location location) =>
        type.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == location.SourceTree && r.Span.Contains(location.SourceSpan));

    internal static string Sentence(string message) => char.ToUpperInvariant(message[0]) + message.Substring(1) + ".";
}
