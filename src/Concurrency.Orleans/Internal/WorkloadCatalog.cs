using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;

namespace Concurrency.Orleans.Internal;

/// <summary>
/// Resolves the workload types a silo may run: by name, only among the silo application's own assemblies
/// (those already loaded in the default context, or on its trusted-platform-assemblies list), and only
/// public, non-abstract classes with a public parameterless constructor that implement
/// <see cref="IWorkload{TInput, TResult}"/> — the same rule as the process workers.
/// </summary>
internal sealed class WorkloadCatalog
{
    private readonly ConcurrentDictionary<(string Assembly, string Type, string Input, string Result), Resolution> _cache = new();
    private readonly Lazy<HashSet<string>> _deployment = new(ReadDeployment);

    /// <summary>Returns the runner for the named workload, or a message saying why the silo cannot run it.</summary>
    public Resolution Resolve(WorkRequest request) =>
        _cache.GetOrAdd((request.WorkloadAssembly, request.WorkloadType, request.InputType, request.ResultType), static (key, self) => self.ResolveCore(key), this);

    private static HashSet<string> ReadDeployment()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string tpa)
        {
            foreach (var path in tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                names.Add(Path.GetFileNameWithoutExtension(path));
            }
        }

        return names;
    }

    private Resolution ResolveCore((string Assembly, string Type, string Input, string Result) key)
    {
        var (assemblyName, typeName, inputName, resultName) = key;
        if (typeName.Contains('[', StringComparison.Ordinal) || typeName.Contains(',', StringComparison.Ordinal))
        {
            return Resolution.Fail($"The silo cannot run workload {typeName}: generic workload types cannot run in the cluster. Derive a non-generic public class.");
        }

        var assembly = FindAssembly(assemblyName);
        if (assembly is null)
        {
            return Resolution.Fail($"The silo cannot run workload {typeName}: its assembly '{assemblyName}' is not part of the silo's application. Deploy the assembly with the silo (reference it from the silo project).");
        }

        var type = assembly.GetType(typeName, throwOnError: false);
        if (type is null)
        {
            return Resolution.Fail($"The silo cannot run workload {typeName}: assembly '{assemblyName}' on the silo has no such type. Deploy the same version of the assembly to the silos and to the client.");
        }

        if (!type.IsVisible || type.IsAbstract || type.IsGenericTypeDefinition || type.GetConstructor(Type.EmptyTypes) is null)
        {
            return Resolution.Fail($"The silo cannot run workload {typeName}: a workload that runs in the cluster must be a public, non-abstract class with a public parameterless constructor.");
        }

        var workloadInterface = type.GetInterfaces().FirstOrDefault(i =>
            i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IWorkload<,>) &&
            i.GenericTypeArguments[0].FullName == inputName && i.GenericTypeArguments[1].FullName == resultName);
        if (workloadInterface is null)
        {
            return Resolution.Fail($"The silo cannot run workload {typeName}: on the silo it does not implement IWorkload<{inputName}, {resultName}>. Deploy the same version of the assembly to the silos and to the client.");
        }

        var runnerType = typeof(BatchRunner<,>).MakeGenericType(workloadInterface.GenericTypeArguments);
        return new Resolution((IBatchRunner)Activator.CreateInstance(runnerType, type)!, null);
    }

    private Assembly? FindAssembly(string name)
    {
        // Already loaded in the default context (the silo's own code) ...
        foreach (var loaded in AssemblyLoadContext.Default.Assemblies)
        {
            if (string.Equals(loaded.GetName().Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return loaded;
            }
        }

        // ... or deployed with the silo application, never from anywhere else.
        if (!_deployment.Value.Contains(name))
        {
            return null;
        }

        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(name));
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null;
        }
    }

    /// <summary>A runner, or why there is none.</summary>
    internal readonly record struct Resolution(IBatchRunner? Runner, string? Failure)
    {
        public static Resolution Fail(string failure) => new(null, failure);
    }
}
