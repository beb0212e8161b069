using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Concurrency.Analyzers;

/// <summary>One member the serializer reads, and whether it writes it back.</summary>
internal readonly struct SerializedMember
{
    public SerializedMember(ISymbol symbol, ITypeSymbol type, bool writable)
    {
        Symbol = symbol;
        Type = type;
        Writable = writable;
    }

    public ISymbol Symbol { get; }

    public ITypeSymbol Type { get; }

    /// <summary>Gets whether the serializer can assign the member itself (a public setter or init, a public non-readonly field).</summary>
    public bool Writable { get; }
}

/// <summary>
/// What the default serializer of the process executors does with a type: MessagePack's contractless resolver
/// (MessagePack 2.5). It reads every public instance property with a public getter (indexers aside) and every public
/// instance field; it creates the object with the public constructor with the most parameters whose parameters all
/// match readable members by name (ignoring case) and exact type, then assigns the members it can write: public
/// setters (init included) and non-readonly public fields. Members neither writable nor matched by the constructor are
/// not even written to the wire. Only public types (and public containing types) can be handled.
/// </summary>
internal static class SerializerModel
{
    /// <summary>Gets whether <paramref name="type"/> and every type containing it, or used as its type argument, is public.</summary>
    public static bool IsEffectivelyPublic(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                return IsEffectivelyPublic(array.ElementType);
            case ITypeParameterSymbol:
                return true;
            case INamedTypeSymbol named:
                for (var current = named; current is not null; current = current.ContainingType)
                {
                    if (current.DeclaredAccessibility != Accessibility.Public)
                    {
                        return false;
                    }
                }

                return named.TypeArguments.All(IsEffectivelyPublic);
            default:
                return true;
        }
    }

    /// <summary>Gets the members the serializer reads, most derived first.</summary>
    public static List<SerializedMember> Members(INamedTypeSymbol type)
    {
        var members = new List<SerializedMember>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object && current.SpecialType != SpecialType.System_ValueType; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member.IsStatic || member.IsImplicitlyDeclared || !names.Add(member.Name))
                {
                    continue;
                }

                switch (member)
                {
                    case IPropertySymbol { IsIndexer: false, GetMethod: { DeclaredAccessibility: Accessibility.Public } } property when property.DeclaredAccessibility == Accessibility.Public:
                        members.Add(new SerializedMember(property, property.Type, property.SetMethod is { DeclaredAccessibility: Accessibility.Public }));
                        break;
                    case IFieldSymbol { DeclaredAccessibility: Accessibility.Public, IsConst: false } field:
                        members.Add(new SerializedMember(field, field.Type, !field.IsReadOnly));
                        break;
                    default:
                        names.Remove(member.Name);
                        break;
                }
            }
        }

        return members;
    }

    /// <summary>
    /// Gets the constructor the serializer creates <paramref name="type"/> with. <paramref name="usable"/> is false when
    /// there is none (the type fails in a worker); the result is <see langword="null"/> for a struct created without one.
    /// </summary>
    public static IMethodSymbol? Constructor(INamedTypeSymbol type, List<SerializedMember> members, out bool usable)
    {
        var candidates = type.InstanceConstructors
            .Where(c => c.DeclaredAccessibility == Accessibility.Public && !(type.IsValueType && c.IsImplicitlyDeclared))
            .OrderByDescending(c => c.Parameters.Length)
            .ToList();
        usable = true;
        if (candidates.Count == 0 && type.IsValueType)
        {
            return null;
        }

        foreach (var candidate in candidates)
        {
            if (candidate.Parameters.All(p => members.Any(m =>
                    string.Equals(m.Symbol.Name, p.Name, StringComparison.OrdinalIgnoreCase) &&
                    SymbolEqualityComparer.Default.Equals(m.Type, p.Type))))
            {
                return candidate;
            }
        }

        usable = false;
        return null;
    }

    /// <summary>Gets whether the serializer carries <paramref name="member"/>: it writes it, or the constructor takes it.</summary>
    public static bool Travels(SerializedMember member, IMethodSymbol? constructor) =>
        member.Writable ||
        (constructor is not null && constructor.Parameters.Any(p => string.Equals(p.Name, member.Symbol.Name, StringComparison.OrdinalIgnoreCase)));

    /// <summary>Gets whether the property stores a value (an auto-property, or one declared in metadata) rather than computing it.</summary>
    public static bool IsStored(IPropertySymbol property)
    {
        var accessor = property.GetMethod ?? property.SetMethod;
        if (accessor is null)
        {
            return false;
        }

        if (accessor.DeclaringSyntaxReferences.IsEmpty)
        {
            return property.DeclaringSyntaxReferences.IsEmpty;
        }

        foreach (var reference in accessor.DeclaringSyntaxReferences)
        {
            switch (reference.GetSyntax())
            {
                case AccessorDeclarationSyntax { Body: null, ExpressionBody: null }:
                    return true;
                case ParameterSyntax:
                    return true; // A record's positional property.
            }
        }

        return false;
    }

    /// <summary>Gets whether <paramref name="type"/> is a primitive, string, decimal, DateTime or enum: a plain immutable value.</summary>
    public static bool IsPlainValue(ITypeSymbol type) =>
        type.TypeKind == TypeKind.Enum ||
        type.SpecialType is (>= SpecialType.System_Boolean and <= SpecialType.System_UIntPtr) or SpecialType.System_DateTime;

    /// <summary>Gets whether <paramref name="type"/> is an array or a collection other than string.</summary>
    public static bool IsCollection(ITypeSymbol type, KnownTypes known) =>
        type is IArrayTypeSymbol ||
        (type.SpecialType != SpecialType.System_String &&
         (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, known.Enumerable) ||
          type.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, known.Enumerable))));
}
