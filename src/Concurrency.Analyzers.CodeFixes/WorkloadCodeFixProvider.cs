using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace Concurrency.Analyzers.CodeFixes;

/// <summary>
/// Fixes for the portability diagnostics where one is obvious: make the workload public, give it a public parameterless
/// constructor (CONC001), or declare it [ThreadsOnlyWorkload] (CONC001, CONC002, CONC004, CONC005) when it never leaves
/// the application's process.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WorkloadCodeFixProvider))]
[Shared]
public sealed class WorkloadCodeFixProvider : CodeFixProvider
{
    /// <summary>The equivalence key of "Make the workload public".</summary>
    public const string MakePublicKey = "Concurrency.MakePublic";

    /// <summary>The equivalence key of "Add a public parameterless constructor".</summary>
    public const string AddConstructorKey = "Concurrency.AddConstructor";

    /// <summary>The equivalence key of "Mark the workload [ThreadsOnlyWorkload]".</summary>
    public const string ThreadsOnlyKey = "Concurrency.ThreadsOnly";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticIds.WorkloadNotCreatable, DiagnosticIds.StateDoesNotTravel, DiagnosticIds.NotSerializableUnchanged, DiagnosticIds.DelegateWorkload);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var declaration = node as TypeDeclarationSyntax ?? node.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (declaration is null)
            {
                continue;
            }

            if (diagnostic.Id == DiagnosticIds.WorkloadNotCreatable && node is TypeDeclarationSyntax)
            {
                diagnostic.Properties.TryGetValue(PortabilityAnalyzer.FixProperty, out var fix);
                if (fix == PortabilityAnalyzer.FixMakePublic)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Make the workload public", c => MakePublicAsync(context.Document, declaration, c), MakePublicKey),
                        diagnostic);
                }
                else if (fix == PortabilityAnalyzer.FixAddConstructor)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create("Add a public parameterless constructor", c => AddConstructorAsync(context.Document, declaration, c), AddConstructorKey),
                        diagnostic);
                }
            }

            context.RegisterCodeFix(
                CodeAction.Create("Mark the workload [ThreadsOnlyWorkload] (it never runs in worker processes)", c => MarkThreadsOnlyAsync(context.Document, declaration, c), ThreadsOnlyKey),
                diagnostic);
        }
    }

    private static async Task<Document> MakePublicAsync(Document document, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        editor.SetAccessibility(declaration, Accessibility.Public);
        return editor.GetChangedDocument();
    }

    private static async Task<Document> AddConstructorAsync(Document document, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var constructor = SyntaxFactory.ConstructorDeclaration(declaration.Identifier.WithoutTrivia())
            .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(SyntaxKind.PublicKeyword)))
            .WithBody(SyntaxFactory.Block());
        var firstMember = declaration.Members.FirstOrDefault();
        if (firstMember is null)
        {
            editor.AddMember(declaration, constructor);
        }
        else
        {
            editor.InsertBefore(firstMember, constructor);
        }

        return editor.GetChangedDocument();
    }

    private static async Task<Document> MarkThreadsOnlyAsync(Document document, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        var generator = editor.Generator;
        editor.AddAttribute(declaration, generator.Attribute(generator.DottedName("Concurrency.ThreadsOnlyWorkload")).WithAdditionalAnnotations(Microsoft.CodeAnalysis.Simplification.Simplifier.Annotation));
        return editor.GetChangedDocument();
    }
}
