using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Concurrency.Analyzers;

/// <summary>The types the rules look for, resolved once per compilation.</summary>
internal sealed class KnownTypes
{
    private KnownTypes(Compilation compilation, INamedTypeSymbol workload)
    {
        Compilation = compilation;
        Workload = workload;
        ThreadsOnly = compilation.GetTypeByMetadataName("Concurrency.ThreadsOnlyWorkloadAttribute");
        PerProcessCache = compilation.GetTypeByMetadataName("Concurrency.PerProcessCacheAttribute");
        ThreadStatic = compilation.GetTypeByMetadataName("System.ThreadStaticAttribute");
        ThreadLocal = compilation.GetTypeByMetadataName("System.Threading.ThreadLocal`1");
        Expression = compilation.GetTypeByMetadataName("System.Linq.Expressions.Expression`1");
        Enumerable = compilation.GetSpecialType(SpecialType.System_Collections_Generic_IEnumerable_T);
    }

    public Compilation Compilation { get; }

    /// <summary>Gets <c>Concurrency.IWorkload`2</c>.</summary>
    public INamedTypeSymbol Workload { get; }

    public INamedTypeSymbol? ThreadsOnly { get; }

    public INamedTypeSymbol? PerProcessCache { get; }

    public INamedTypeSymbol? ThreadStatic { get; }

    public INamedTypeSymbol? ThreadLocal { get; }

    public INamedTypeSymbol? Expression { get; }

    public INamedTypeSymbol Enumerable { get; }

    /// <summary>Returns the known types, or <see langword="null"/> when the compilation does not reference Concurrency.Core.</summary>
    public static KnownTypes? Create(Compilation compilation) =>
        compilation.GetTypeByMetadataName("Concurrency.IWorkload`2") is { } workload ? new KnownTypes(compilation, workload) : null;

    /// <summary>Gets the <c>IWorkload&lt;TInput, TResult&gt;</c> interfaces <paramref name="type"/> implements.</summary>
    public ImmutableArray<INamedTypeSymbol> WorkloadInterfaces(ITypeSymbol type)
    {
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            return ImmutableArray<INamedTypeSymbol>.Empty;
        }

        var builder = ImmutableArray.CreateBuilder<INamedTypeSymbol>();
        foreach (var candidate in type.AllInterfaces)
        {
            if (SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, Workload))
            {
                builder.Add(candidate);
            }
        }

        return builder.ToImmutable();
    }

    /// <summary>Gets whether the author declared that <paramref name="type"/> only runs on threads.</summary>
    public bool IsThreadsOnly(ITypeSymbol type) => HasAttribute(type, ThreadsOnly);

    /// <summary>Gets the methods implementing <c>Execute</c> of each workload interface of <paramref name="type"/>.</summary>
    public IEnumerable<IMethodSymbol> ExecuteMethods(INamedTypeSymbol type)
    {
        foreach (var contract in WorkloadInterfaces(type))
        {
            foreach (var member in contract.GetMembers("Execute"))
            {
                if (type.FindImplementationForInterfaceMember(member) is IMethodSymbol implementation)
                {
                    yield return implementation;
                }
            }
        }
    }

    public static bool HasAttribute(ISymbol symbol, INamedTypeSymbol? attribute)
    {
        if (attribute is null)
        {
            return false;
        }

        foreach (var data in symbol.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
            {
                return true;
            }
        }

        return false;
    }

    public bool IsDelegateLike(ITypeSymbol type) =>
        type.TypeKind == TypeKind.Delegate ||
        (Expression is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, Expression));
}
