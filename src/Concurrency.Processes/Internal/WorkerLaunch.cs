using System.Runtime.InteropServices;

namespace Concurrency.Processes.Internal;

/// <summary>
/// How a worker process is started: <c>dotnet exec --runtimeconfig &lt;app&gt;.runtimeconfig.json
/// --depsfile &lt;app&gt;.deps.json Concurrency.Processes.dll --concurrency-worker</c>. The worker runs this
/// assembly's entry point with the application's own runtime configuration and dependency list, so it
/// loads the application's workload types exactly as the application does — for <c>dotnet run</c>,
/// <c>dotnet app.dll</c>, an apphost, and a test host (whose entry assembly, testhost.dll, is not the app:
/// the deps file the host was given is).
/// </summary>
internal sealed record WorkerLaunch(string Host, string? RuntimeConfig, string? DepsFile, string WorkerAssembly)
{
    private static readonly Lazy<WorkerLaunch> Current = new(Resolve);

    /// <summary>Gets the launch of this application, or throws why workers cannot start.</summary>
    public static WorkerLaunch ForThisApp => Current.Value;

    public IEnumerable<string> Arguments()
    {
        yield return "exec";
        if (RuntimeConfig is not null)
        {
            yield return "--runtimeconfig";
            yield return RuntimeConfig;
        }

        if (DepsFile is not null)
        {
            yield return "--depsfile";
            yield return DepsFile;
        }

        yield return WorkerAssembly;
        yield return Protocol.WorkerMarker;
    }

    private static WorkerLaunch Resolve()
    {
        var worker = typeof(WorkerLaunch).Assembly.Location;
        if (string.IsNullOrEmpty(worker))
        {
            throw new PlatformNotSupportedException(
                "ProcessPoolExecutor cannot start worker processes in an application published as a single file: the worker runs " +
                "Concurrency.Processes.dll with the application's deps.json, which a single-file bundle does not have on disk. " +
                "Publish without PublishSingleFile (a framework-dependent or self-contained folder works), or use ThreadPoolExecutor.");
        }

        var deps = FindDepsFile();
        var runtimeConfig = FindRuntimeConfig(deps);
        if (runtimeConfig is null)
        {
            throw new PlatformNotSupportedException(
                $"ProcessPoolExecutor cannot find the application's runtimeconfig.json (looked next to {deps ?? "the entry assembly"} and in {AppContext.BaseDirectory}). " +
                "Workers need it to start the same runtime as the application; build the application as an executable (OutputType Exe) so the SDK writes it.");
        }

        return new WorkerLaunch(FindHost(), runtimeConfig, deps, worker);
    }

    private static string? FindDepsFile()
    {
        if (AppContext.GetData("APP_CONTEXT_DEPS_FILES") is string list)
        {
            foreach (var path in list.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                if (path.EndsWith(".deps.json", StringComparison.OrdinalIgnoreCase) && File.Exists(path))
                {
                    return path;
                }
            }
        }

        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        if (!string.IsNullOrEmpty(entry))
        {
            var candidate = Path.ChangeExtension(entry, ".deps.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? FindRuntimeConfig(string? deps)
    {
        if (deps is not null)
        {
            var candidate = deps[..^".deps.json".Length] + ".runtimeconfig.json";
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        if (!string.IsNullOrEmpty(entry))
        {
            var candidate = Path.ChangeExtension(entry, ".runtimeconfig.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Finds the <c>dotnet</c> muxer: the current process if it is one, DOTNET_HOST_PATH, or the root of the running runtime.</summary>
    private static string FindHost()
    {
        var exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var process = Environment.ProcessPath;
        if (process is not null && string.Equals(Path.GetFileName(process), exe, StringComparison.OrdinalIgnoreCase))
        {
            return process;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet
        var runtimeDir = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        var root = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(runtimeDir)));
        if (root is not null && File.Exists(Path.Combine(root, exe)))
        {
            return Path.Combine(root, exe);
        }

        return exe;
    }
}
