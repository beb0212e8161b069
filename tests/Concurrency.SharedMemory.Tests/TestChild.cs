using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using MessagePack;
using MessagePack.Resolvers;

namespace Concurrency.SharedMemory.Tests;

/// <summary>A running ChildProcess/Program.cs: line-based commands on stdin, answers on stdout; killed on dispose.</summary>
internal sealed class TestChild : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private TestChild(Process process)
    {
        _process = process;
        Id = process.Id;
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();
    }

    public int Id { get; }

    public bool HasExited => _process.HasExited;

    public static string Encode(SharedArrayHandle<long> handle) => Convert.ToBase64String(MessagePackSerializer.Serialize(handle, Options));

    public static SharedArrayHandle<long> Decode(string text) =>
        MessagePackSerializer.Deserialize<SharedArrayHandle<long>>(Convert.FromBase64String(text), Options);

    public static TestChild Start(params string[] args) => StartIn([], args);

    /// <summary>Starts the child through <paramref name="wrapper"/> (a program and its arguments that ends by running the command it is given, e.g. unshare).</summary>
    public static TestChild StartIn(IReadOnlyList<string> wrapper, params string[] args)
    {
        var start = new ProcessStartInfo(wrapper.Count > 0 ? wrapper[0] : DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (wrapper.Count > 0)
        {
            foreach (var part in wrapper.Skip(1))
            {
                start.ArgumentList.Add(part);
            }

            start.ArgumentList.Add(DotnetHost());
        }

        start.ArgumentList.Add(ChildPath());
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new TestChild(Process.Start(start) ?? throw new InvalidOperationException("The child process did not start."));
    }

    public async Task<string> ReadLineAsync()
    {
        var line = await _process.StandardOutput.ReadLineAsync().WaitAsync(Timeout);
        return line ?? throw new InvalidOperationException($"The child exited without answering. stderr: {StdErr}");
    }

    /// <summary>Reads a line and checks that it starts with <paramref name="expectedPrefix"/>; returns the rest.</summary>
    public async Task<string> ExpectAsync(string expectedPrefix)
    {
        var line = await ReadLineAsync();
        Assert.True(line.StartsWith(expectedPrefix, StringComparison.Ordinal), $"Expected '{expectedPrefix}…' from the child, got '{line}'. stderr: {StdErr}");
        return line[expectedPrefix.Length..].TrimStart();
    }

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line).WaitAsync(Timeout);
        await _process.StandardInput.FlushAsync().WaitAsync(Timeout);
    }

    /// <summary>Kills the child with SIGKILL and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(Timeout);
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Timeout);
        return _process.ExitCode;
    }

    public string StdErr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static string ChildPath() =>
        typeof(TestChild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TestChildPath").Value
        ?? throw new InvalidOperationException("TestChildPath is not set.");

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
