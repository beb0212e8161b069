using System.Reflection;
using System.Runtime.Loader;

namespace Concurrency.Processes.Internal;

/// <summary>
/// Decides which types may cross into a worker: the same rules on both ends, so that the pool fails fast
/// with the message the worker would give, and the worker — the security boundary — refuses anything else.
/// </summary>
/// <remarks>
/// A type is resolved only from the application's own assemblies: those on the host's
/// trusted-platform-assemblies list (built from the application's deps.json and its frameworks), loaded
/// into the default context. A name that points anywhere else is refused, and no path is ever loaded.
/// </remarks>
internal static class TypeGate
{
    private static readonly Lazy<HashSet<string>> AppAssemblies = new(() =>
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa)
        {
            foreach (var path in tpa.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                names.Add(System.IO.Path.GetFileNameWithoutExtension(path));
            }
        }

        return names;
    });

    /// <summary>Gets the name a worker resolves <paramref name="type"/> by.</summary>
    public static string NameOf(Type type) => type.AssemblyQualifiedName ?? throw new ArgumentException($"Type {type} has no assembly-qualified name.", nameof(type));

    /// <summary>Returns why <paramref name="assembly"/> cannot be loaded by a worker, or <see langword="null"/>.</summary>
    public static string? CheckAssembly(Assembly assembly)
    {
        if (assembly.IsDynamic)
        {
            return $"its assembly {assembly.GetName().Name} is dynamic (emitted at run time)";
        }

        if (AssemblyLoadContext.GetLoadContext(assembly) != AssemblyLoadContext.Default)
        {
            return $"its assembly {assembly.GetName().Name} was loaded into a separate AssemblyLoadContext (a plug-in), not with the application";
        }

        var name = assembly.GetName().Name;
        if (name is null || !AppAssemblies.Value.Contains(name))
        {
            return $"its assembly {name} is not one of the application's own assemblies (those listed by its deps.json)";
        }

        return null;
    }

    /// <summary>Returns why <paramref name="type"/> cannot be created in a worker as a <paramref name="requiredInterface"/>, or <see langword="null"/>.</summary>
    public static string? CheckCreatable(Type type, Type requiredInterface)
    {
        if (!type.IsVisible)
        {
            return "it is not public";
        }

        if (type.IsAbstract || type.IsInterface || !type.IsClass)
        {
            return "it is not a concrete class";
        }

        if (type.ContainsGenericParameters)
        {
            return "it is an open generic type";
        }

        if (type.GetConstructor(Type.EmptyTypes) is not { IsPublic: true })
        {
            return "it has no public parameterless constructor";
        }

        if (!requiredInterface.IsAssignableFrom(type))
        {
            return $"it does not implement {Describe(requiredInterface)}";
        }

        return CheckAssembly(type.Assembly) ?? CheckGenericArguments(type);
    }

    /// <summary>Resolves an assembly-qualified type name from the application's own assemblies only.</summary>
    /// <exception cref="TypeLoadException">The name does not resolve, or points outside the application.</exception>
    public static Type Resolve(string name)
    {
        string? refused = null;
        Type? type;
        try
        {
            type = Type.GetType(
                name,
                assemblyName =>
                {
                    if (assemblyName.Name is null || !AppAssemblies.Value.Contains(assemblyName.Name))
                    {
                        refused ??= assemblyName.Name;
                        return null;
                    }

                    return AssemblyLoadContext.Default.LoadFromAssemblyName(assemblyName);
                },
                typeResolver: null,
                throwOnError: false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException or ArgumentException)
        {
            throw new TypeLoadException($"Type '{name}' cannot be loaded in the worker: {ex.Message}", ex);
        }

        if (refused is not null)
        {
            throw new TypeLoadException($"Type '{name}' was refused: assembly {refused} is not one of the application's own assemblies (those listed by its deps.json).");
        }

        return type ?? throw new TypeLoadException($"Type '{name}' was not found in the application's assemblies.");
    }

    /// <summary>Gets a readable name such as <c>IWorkload&lt;Int32, String&gt;</c>.</summary>
    public static string Describe(Type type)
    {
        if (!type.IsGenericType)
        {
            return type.FullName ?? type.Name;
        }

        var name = type.GetGenericTypeDefinition().FullName ?? type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick];
        }

        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>";
    }

    private static string? CheckGenericArguments(Type type)
    {
        if (!type.IsGenericType)
        {
            return null;
        }

        foreach (var argument in type.GetGenericArguments())
        {
            if (CheckAssembly(argument.Assembly) is { } problem)
            {
                return $"its type argument {argument}: {problem}";
            }
        }

        return null;
    }
}
