using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Concurrency.DependencyInjection;

/// <summary>Finds the executor kinds whose packages the application references.</summary>
/// <remarks>
/// A referenced assembly is not loaded until code uses it, and the compiler drops references to
/// assemblies the application never names, so looking at loaded assemblies is not enough. The host's
/// trusted-platform-assemblies list names every assembly of the application (its own folder and its
/// NuGet packages alike); the <c>Concurrency.*</c> ones among them are loaded and asked for
/// <see cref="WorkExecutorKindAttribute"/>.
/// </remarks>
internal static class WorkExecutorKinds
{
    /// <summary>The kinds this library ships, and the package that brings each.</summary>
    internal static readonly IReadOnlyDictionary<string, string> KnownPackages = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Threads"] = "Concurrency.Threads",
        ["Processes"] = "Concurrency.Processes",
        ["SharedMemory"] = "Concurrency.SharedMemory",
        ["Orleans"] = "Concurrency.Orleans",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly Lazy<FrozenDictionary<string, WorkExecutorKindAttribute>> Discovered = new(Discover);

    public static IReadOnlyDictionary<string, WorkExecutorKindAttribute> Available => Discovered.Value;

    public static bool TryGet(string kind, [NotNullWhen(true)] out WorkExecutorKindAttribute? attribute) =>
        Discovered.Value.TryGetValue(kind, out attribute);

    private static FrozenDictionary<string, WorkExecutorKindAttribute> Discover()
    {
        var kinds = new Dictionary<string, WorkExecutorKindAttribute>(StringComparer.OrdinalIgnoreCase);
        foreach (var assembly in CandidateAssemblies())
        {
            foreach (var attribute in assembly.GetCustomAttributes<WorkExecutorKindAttribute>())
            {
                kinds.TryAdd(attribute.Kind, attribute);
            }
        }

        return kinds.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private static IEnumerable<Assembly> CandidateAssemblies()
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.GetName().Name is { } name && seen.Add(name))
            {
                yield return assembly;
            }
        }

        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is not string tpa)
        {
            yield break;
        }

        foreach (var path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (!name.StartsWith("Concurrency.", StringComparison.Ordinal) || !seen.Add(name))
            {
                continue;
            }

            Assembly? loaded;
            try
            {
                loaded = Assembly.Load(new AssemblyName(name));
            }
            catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                loaded = null;
            }

            if (loaded is not null)
            {
                yield return loaded;
            }
        }
    }
}
