using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Concurrency.Analyzers;

/// <summary>How code uses a member.</summary>
internal enum AccessKind
{
    /// <summary>Reads the member's value.</summary>
    Read,

    /// <summary>Assigns the member (or passes it by reference).</summary>
    Write,

    /// <summary>Changes the contents of the object the (static readonly) member holds.</summary>
    Mutate,

    /// <summary>Calls the method, constructor or accessor.</summary>
    Call,
}

/// <summary>One use, by the member <see cref="Owner"/> (a method, accessor, constructor or initialized field), of <see cref="Target"/>.</summary>
internal sealed class Access
{
    public Access(ISymbol owner, ISymbol target, AccessKind kind, bool onThis, Location location)
    {
        Owner = owner;
        Target = target;
        Kind = kind;
        OnThis = onThis;
        Location = location;
    }

    public ISymbol Owner { get; }

    public ISymbol Target { get; }

    public AccessKind Kind { get; }

    /// <summary>Gets whether an instance member is used on the object running the code (<c>this</c>).</summary>
    public bool OnThis { get; }

    public Location Location { get; }
}

/// <summary>
/// Records, for every member body of the compilation, the calls it makes, the static state it uses and the workload
/// state it uses, so that the end of the compilation can follow Execute through everything it calls.
/// </summary>
internal sealed class AccessRecorder
{
    private static readonly string[] Mutators =
    [
        "Add", "Insert", "Remove", "Clear", "Push", "Pop", "Enqueue", "Dequeue", "TryAdd", "TryRemove", "TryDequeue", "TryPop",
        "TryTake", "TryUpdate", "GetOrAdd", "Set", "Sort", "Reverse", "Fill", "Increment", "Decrement", "Exchange",
        "CompareExchange", "CompareAndSet", "Reset", "Update", "Write", "UnionWith", "ExceptWith", "IntersectWith",
        "SymmetricExceptWith", "TrimExcess", "EnsureCapacity", "Append", "Replace",
    ];

    private static readonly string[] ExtensionMutators = ["Add", "TryAdd", "Remove", "Insert", "Clear", "Set"];

    private readonly KnownTypes _known;
    private readonly HashSet<INamedTypeSymbol> _workloadTypes;

    public AccessRecorder(KnownTypes known, HashSet<INamedTypeSymbol> workloadTypes)
    {
        _known = known;
        _workloadTypes = workloadTypes;
    }

    /// <summary>Gets the uses recorded in each member body.</summary>
    public ConcurrentDictionary<ISymbol, ConcurrentQueue<Access>> ByOwner { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>Gets every assignment of workload state and every change to static state, by the member changed.</summary>
    public ConcurrentDictionary<ISymbol, ConcurrentQueue<Access>> Changes { get; } = new(SymbolEqualityComparer.Default);

    public void Record(OperationAnalysisContext context)
    {
        var owner = Owner(context.ContainingSymbol);
        switch (context.Operation)
        {
            case IFieldReferenceOperation { Field.IsConst: false } reference:
                var field = reference.Field.OriginalDefinition;
                RecordStorage(owner, field.AssociatedSymbol is IPropertySymbol backing ? backing : field, field.IsStatic, field.IsReadOnly, reference);
                break;
            case IPropertyReferenceOperation reference:
                var property = reference.Property.OriginalDefinition;
                if (!property.IsIndexer && SerializerModel.IsStored(property))
                {
                    RecordStorage(owner, property, property.IsStatic, property.SetMethod is null, reference);
                }
                else
                {
                    var usage = Usage(reference);
                    if (usage != AccessKind.Write && property.GetMethod is { } getter)
                    {
                        AddCall(owner, getter, reference);
                    }

                    if (usage != AccessKind.Read && property.SetMethod is { } setter)
                    {
                        AddCall(owner, setter, reference);
                    }
                }

                break;
            case IParameterReferenceOperation { Parameter.ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Constructor } constructor } reference
                when IsPrimaryConstructor(constructor) && !SymbolEqualityComparer.Default.Equals(owner, constructor) && IsWorkloadState(constructor.ContainingType):
                Add(owner, new Access(owner, reference.Parameter, Usage(reference), onThis: true, reference.Syntax.GetLocation()));
                break;
            case IInvocationOperation invocation:
                AddCall(owner, invocation.TargetMethod.ReducedFrom ?? invocation.TargetMethod, invocation);
                break;
            case IObjectCreationOperation { Constructor: { } constructor } creation:
                AddCall(owner, constructor, creation);
                break;
            case IMethodReferenceOperation reference:
                AddCall(owner, reference.Method, reference);
                break;
        }
    }

    /// <summary>Gets whether <paramref name="symbol"/> declares state that belongs to a workload object (a workload or a base class of one).</summary>
    public bool IsWorkloadState(INamedTypeSymbol? symbol) => symbol is not null && _workloadTypes.Contains(symbol.OriginalDefinition);

    public static ISymbol Owner(ISymbol symbol)
    {
        while (symbol is IMethodSymbol { MethodKind: MethodKind.LocalFunction or MethodKind.AnonymousFunction } && symbol.ContainingSymbol is { } outer)
        {
            symbol = outer;
        }

        return symbol.OriginalDefinition;
    }

    private void RecordStorage(ISymbol owner, ISymbol storage, bool isStatic, bool isReadOnly, IMemberReferenceOperation reference)
    {
        var usage = Usage(reference);
        var location = reference.Syntax.GetLocation();
        if (isStatic)
        {
            if (!SymbolEqualityComparer.Default.Equals(storage.ContainingAssembly, _known.Compilation.Assembly))
            {
                return;
            }

            Add(owner, new Access(owner, storage, usage, onThis: false, location));
            if (usage != AccessKind.Read || (isReadOnly && IsMutated(reference)))
            {
                Changes.GetOrAdd(storage, _ => new ConcurrentQueue<Access>()).Enqueue(new Access(owner, storage, usage == AccessKind.Read ? AccessKind.Mutate : usage, onThis: false, location));
            }

            return;
        }

        if (!IsWorkloadState(storage.ContainingType))
        {
            return;
        }

        var onThis = reference.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance };
        var access = new Access(owner, storage, usage, onThis, location);
        if (onThis)
        {
            Add(owner, access);
        }

        if (usage != AccessKind.Read)
        {
            Changes.GetOrAdd(storage, _ => new ConcurrentQueue<Access>()).Enqueue(access);
        }
    }

    private void AddCall(ISymbol owner, IMethodSymbol target, IOperation operation)
    {
        target = target.OriginalDefinition;
        if (!target.DeclaringSyntaxReferences.IsEmpty)
        {
            Add(owner, new Access(owner, target, AccessKind.Call, onThis: false, operation.Syntax.GetLocation()));
        }
    }

    private void Add(ISymbol owner, Access access) => ByOwner.GetOrAdd(owner, _ => new ConcurrentQueue<Access>()).Enqueue(access);

    private static bool IsPrimaryConstructor(IMethodSymbol constructor) =>
        constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax);

    /// <summary>Gets whether the operation reads, assigns, or both (compound assignment, increment, ref argument).</summary>
    public static AccessKind Usage(IOperation operation)
    {
        var current = operation;
        while (current.Parent is ITupleOperation or IConversionOperation { IsImplicit: true })
        {
            current = current.Parent;
        }

        return current.Parent switch
        {
            ISimpleAssignmentOperation assignment when assignment.Target == current => AccessKind.Write,
            IDeconstructionAssignmentOperation assignment when assignment.Target == current => AccessKind.Write,
            ICompoundAssignmentOperation assignment when assignment.Target == current => AccessKind.Write,
            ICoalesceAssignmentOperation assignment when assignment.Target == current => AccessKind.Write,
            IIncrementOrDecrementOperation => AccessKind.Write,
            IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } => AccessKind.Write,
            _ => AccessKind.Read,
        };
    }

    /// <summary>Gets whether the code changes the contents of what the referenced (readonly) member holds.</summary>
    private static bool IsMutated(IOperation reference)
    {
        var current = reference;
        while (true)
        {
            if (IsImmutable(current.Type))
            {
                return false;
            }

            switch (current.Parent)
            {
                case IInvocationOperation invocation when invocation.Instance == current:
                    return IsMutator(invocation.TargetMethod.Name, Mutators);
                case IArgumentOperation { Parent: IInvocationOperation invocation } argument:
                    var method = invocation.TargetMethod;
                    if (method.IsExtensionMethod && invocation.Arguments.FirstOrDefault() == argument)
                    {
                        return IsMutator(method.Name, ExtensionMutators);
                    }

                    return method.ContainingType.SpecialType == SpecialType.System_Array &&
                           (method.Name is "Sort" or "Fill" or "Clear" or "Reverse" ||
                            (method.Name is "Copy" or "ConstrainedCopy" && argument.Parameter?.Name == "destinationArray"));
                case IArrayElementReferenceOperation element when element.ArrayReference == current:
                    if (Usage(element) != AccessKind.Read)
                    {
                        return true;
                    }

                    current = element;
                    break;
                case IMemberReferenceOperation member when member.Instance == current:
                    if (Usage(member) != AccessKind.Read)
                    {
                        return true;
                    }

                    current = member;
                    break;
                default:
                    return false;
            }
        }
    }

    private static bool IsMutator(string name, string[] prefixes) => prefixes.Any(p => name.StartsWith(p, System.StringComparison.Ordinal));

    private static bool IsImmutable(ITypeSymbol? type) =>
        type is null ||
        SerializerModel.IsPlainValue(type) ||
        type.ContainingNamespace?.ToDisplayString() is "System.Collections.Immutable" or "System.Collections.Frozen";
}
