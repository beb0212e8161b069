using Concurrency.Analyzers;
using Concurrency.SharedMemory;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Concurrency.Analyzers.Tests;

/// <summary>Runs <see cref="PortabilityAnalyzer"/> (and its code fixes) over test code compiled against .NET 10 and the real Concurrency assemblies.</summary>
internal static class Verify
{
    /// <summary>
    /// .NET 10's reference assemblies from the installed SDK's targeting pack (no download), plus Concurrency.Core and
    /// Concurrency.SharedMemory as built.
    /// </summary>
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!; // <root>/shared/Microsoft.NETCore.App/<version>
        var root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        var packs = Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref");
        var refDirectory = Directory.Exists(packs)
            ? Directory.GetDirectories(packs, $"{Environment.Version.Major}.*")
                .Select(d => Path.Combine(d, "ref", $"net{Environment.Version.Major}.0"))
                .Where(Directory.Exists)
                .OrderBy(d => Version.Parse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(d))!)))
                .LastOrDefault()
            : null;
        var framework = Directory.GetFiles(refDirectory ?? runtime, "*.dll")
            .Where(f => refDirectory is not null || Path.GetFileName(f).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(f) is "mscorlib.dll" or "netstandard.dll");
        return framework
            .Concat([typeof(IWorkload<,>).Assembly.Location, typeof(SharedArrayHandle<>).Assembly.Location])
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray();
    });

    public static DiagnosticResult Diagnostic(string id) => new DiagnosticResult(id, DiagnosticSeverity.Warning).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations);

    public static async Task AnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    /// <summary>Analyzes <paramref name="app"/>, which references <paramref name="library"/> compiled as a separate assembly.</summary>
    public static async Task AnalyzerWithLibraryAsync(string library, string app, params DiagnosticResult[] expected)
    {
        var test = new AnalyzerTest { TestCode = app };
        var project = new ProjectState("Library", LanguageNames.CSharp, "Library", "cs") { Sources = { library } };
        Configure(project);
        test.TestState.AdditionalProjects.Add("Library", project);
        test.TestState.AdditionalProjectReferences.Add("Library");
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    public static async Task CodeFixAsync<TCodeFix>(string source, string fixedSource, DiagnosticResult[] expected, string? equivalenceKey = null)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CodeFixTest<TCodeFix>
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionEquivalenceKey = equivalenceKey,

            // CONC002 and CONC003 are computed at the end of the compilation (non-local): an IDE offers their fixes where
            // it runs full-solution analysis.
            CodeFixTestBehaviors = CodeFixTestBehaviors.SkipLocalDiagnosticCheck,
        };
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    private static void Configure(ProjectState state)
    {
        state.ReferenceAssemblies = new ReferenceAssemblies($"net{Environment.Version.Major}.0");
        state.AdditionalReferences.AddRange(References.Value);
    }

    private sealed class AnalyzerTest : CSharpAnalyzerTest<PortabilityAnalyzer, DefaultVerifier>
    {
        public AnalyzerTest() => Configure(TestState);
    }

    private sealed class CodeFixTest<TCodeFix> : CSharpCodeFixTest<PortabilityAnalyzer, TCodeFix, DefaultVerifier>
        where TCodeFix : CodeFixProvider, new()
    {
        public CodeFixTest() => Configure(TestState);
    }
}
