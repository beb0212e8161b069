using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Concurrency.Analyzers;

/// <summary>
/// Follows the type graph of what a workload sends to a worker or gets back (the workload's travelling members, the
/// input, the result) and describes each place where the default serializer fails or changes the value.
/// Each type is visited once, which also stops cycles.
/// </summary>
internal sealed class TypeGraph
{
    private readonly KnownTypes _known;
    private readonly HashSet<ITypeSymbol> _visited = new(SymbolEqualityComparer.Default);

    public TypeGraph(KnownTypes known) => _known = known;

    /// <summary>Gets the problems found so far: what is wrong, and the member's declaration when it is in source.</summary>
    public List<(string Message, Location? Member)> Problems { get; } = [];

    /// <summary>Checks the values that travel in <paramref name="slot"/> (e.g. "the input"), declared as <paramref name="type"/>.</summary>
    public void Visit(ITypeSymbol type, string slot, Location? member)
    {
        switch (type)
        {
            case ITypeParameterSymbol:
                return;
            case IArrayTypeSymbol array:
                Visit(array.ElementType, slot + " (its elements)", member);
                return;
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                Report($"{slot} is a pointer, which the serializer cannot send: the item fails in a worker", member);
                return;
            case IDynamicTypeSymbol:
                ReportObject(slot, member);
                return;
        }

        if (type is not INamedTypeSymbol named)
        {
            return;
        }

        if (named.SpecialType == SpecialType.System_Object)
        {
            ReportObject(slot, member);
            return;
        }

        if (_known.IsDelegateLike(named))
        {
            Report($"{slot} is a delegate ({Name(named)}), which the serializer cannot send: the item fails in a worker", member);
            return;
        }

        if (named.IsRefLikeType)
        {
            Report($"{slot} is a ref struct ({Name(named)}), which the serializer cannot send: use an array or a list", member);
            return;
        }

        if (SerializerModel.IsPlainValue(named) || !_visited.Add(named))
        {
            return;
        }

        if (named.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
        {
            Visit(named.TypeArguments[0], slot, member);
            return;
        }

        if (named.TypeKind == TypeKind.Interface)
        {
            if (IsSystem(named) && named.IsGenericType)
            {
                VisitArguments(named, slot, member); // IEnumerable<T>, IReadOnlyList<T>, IDictionary<K, V>...: built in.
                return;
            }

            Report(
                IsSystem(named) && SerializerModel.IsCollection(named, _known) || named.Name is "IEnumerable" or "ICollection" or "IList" or "IDictionary"
                    ? $"{slot} is typed {Name(named)}, whose elements are objects: the serializer keeps only primitives, lists and maps in them, so an object of any other class arrives in a worker as Dictionary<object, object>"
                    : $"{slot} is typed as the interface {Name(named)}: the serializer creates only the declared type, so it cannot create the object behind the interface and the item fails in a worker. Declare the concrete type",
                member);
            return;
        }

        if (named.IsAbstract && named.TypeKind == TypeKind.Class)
        {
            Report($"{slot} is typed as the abstract class {Name(named)}: the serializer creates only the declared type, so it cannot create the derived object and the item fails in a worker. Declare the concrete type", member);
            return;
        }

        if (IsSystem(named))
        {
            VisitArguments(named, slot, member); // List<T>, Dictionary<K, V>, tuples, Memory<T>...: built in.
            return;
        }

        if (!SerializerModel.IsEffectivelyPublic(named))
        {
            Report($"{slot} is of type {Name(named)}, which is not public (or is nested in a type that is not): the serializer creates public types only, so the item fails in a worker", member);
            return;
        }

        if (named.AllInterfaces.FirstOrDefault(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, _known.Enumerable)) is { } enumerable)
        {
            Visit(enumerable.TypeArguments[0], slot + " (its elements)", member);
            return;
        }

        VisitMembers(named, slot, member);
    }

    private void VisitMembers(INamedTypeSymbol type, string slot, Location? member)
    {
        var members = SerializerModel.Members(type);
        var constructor = SerializerModel.Constructor(type, members, out var usable);
        if (!usable)
        {
            Report($"{slot} is of type {Name(type)}, which has no public constructor the serializer can use (a public parameterless one, or one whose parameters all match public members by name and type): the item fails in a worker", Declaration(type) ?? member);
        }

        foreach (var serialized in members)
        {
            var memberSlot = $"'{Name(type)}.{serialized.Symbol.Name}'";
            var location = Declaration(serialized.Symbol) ?? member;
            if (SerializerModel.Travels(serialized, constructor))
            {
                Visit(serialized.Type, memberSlot, location);
                continue;
            }

            if (serialized.Symbol is IPropertySymbol property && !SerializerModel.IsStored(property))
            {
                continue; // Computed from what travels.
            }

            if (SerializerModel.IsCollection(serialized.Type, _known))
            {
                Report($"{memberSlot} is a get-only collection and no constructor parameter matches it: the serializer does not fill it, so it arrives empty in a worker. Give it a public setter (or init), or a constructor parameter", location);
            }
            else if (serialized.Symbol is IPropertySymbol { SetMethod: { } setter })
            {
                Report($"{memberSlot} has a {Accessibility(setter.DeclaredAccessibility)} setter and no constructor parameter matches it: it arrives in a worker with its default value. Make the setter public (or init)", location);
            }
            else
            {
                Report($"{memberSlot} is read-only and no constructor parameter matches it: it arrives in a worker with its default value. Give it a public setter (or init), or a constructor parameter", location);
            }
        }

        VisitPrivateFields(type, members, constructor);
    }

    /// <summary>Reports fields the serializer never sees, unless a travelling property or the constructor it uses sets them.</summary>
    private void VisitPrivateFields(INamedTypeSymbol type, List<SerializedMember> members, IMethodSymbol? constructor)
    {
        List<SyntaxNode>? carriers = null;
        foreach (var field in type.GetMembers().OfType<IFieldSymbol>())
        {
            if (field.IsStatic || field.IsConst || field.IsImplicitlyDeclared || field.DeclaredAccessibility == Microsoft.CodeAnalysis.Accessibility.Public || Declaration(field) is not { } location)
            {
                continue;
            }

            carriers ??= Carriers(members, constructor);
            if (carriers.Any(node => node.DescendantNodes().OfType<IdentifierNameSyntax>().Any(id => id.Identifier.ValueText == field.Name)))
            {
                continue;
            }

            Report($"'{Name(type)}.{field.Name}' is a {Accessibility(field.DeclaredAccessibility)} field: the serializer does not carry it, so it arrives in a worker with its default value. Make it a public property with a public setter (or init)", location);
        }
    }

    private static List<SyntaxNode> Carriers(List<SerializedMember> members, IMethodSymbol? constructor)
    {
        var nodes = new List<SyntaxNode>();
        if (constructor is not null)
        {
            nodes.AddRange(constructor.DeclaringSyntaxReferences.Select(r => r.GetSyntax()));
        }

        foreach (var member in members)
        {
            if (member.Symbol is IPropertySymbol property && member.Writable)
            {
                nodes.AddRange(property.DeclaringSyntaxReferences.Select(r => r.GetSyntax()));
            }
        }

        return nodes;
    }

    private void VisitArguments(INamedTypeSymbol type, string slot, Location? member)
    {
        foreach (var argument in type.TypeArguments)
        {
            Visit(argument, slot + " (its elements)", member);
        }
    }

    private void ReportObject(string slot, Location? member) =>
        Report($"{slot} is typed object: the serializer keeps only primitives, lists and maps in it, so an object of any other class (a record, a Circle) arrives in a worker as Dictionary<object, object>. Declare the concrete type", member);

    private void Report(string message, Location? member)
    {
        if (!Problems.Any(p => p.Message == message))
        {
            Problems.Add((message, member));
        }
    }

    private static bool IsSystem(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace;
        while (ns is { ContainingNamespace.IsGlobalNamespace: false })
        {
            ns = ns.ContainingNamespace;
        }

        return ns is { IsGlobalNamespace: false, Name: "System" };
    }

    private static Location? Declaration(ISymbol symbol) => symbol.Locations.FirstOrDefault(l => l.IsInSource);

    /// <summary>Names a type as its containing types and its own name, with type arguments: <c>Jobs.Scale&lt;int&gt;</c>.</summary>
    internal static string Name(ITypeSymbol type) => type.ToDisplayString(Format);

    private static readonly SymbolDisplayFormat Format = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypes,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

    internal static string Accessibility(Accessibility accessibility) => accessibility switch
    {
        Microsoft.CodeAnalysis.Accessibility.Private => "private",
        Microsoft.CodeAnalysis.Accessibility.Internal => "internal",
        Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
        Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
        Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
        _ => "public",
    };
}
