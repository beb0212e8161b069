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

    /// <summary>The equivalence key of "Make the field a public settable property".</summary>
    public const string MakePropertyKey = "Concurrency.MakeProperty";

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

            diagnostic.Properties.TryGetValue(PortabilityAnalyzer.FixProperty, out var fix);
            if (fix == PortabilityAnalyzer.FixMakeProperty &&
                node is VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: FieldDeclarationSyntax field } } variable)
            {
                context.RegisterCodeFix(
                    CodeAction.Create("Make the field a public settable property (it then travels to worker processes)", c => MakePropertyAsync(context.Document, field, variable, c), MakePropertyKey),
                    diagnostic);
            }

            if (diagnostic.Id == DiagnosticIds.WorkloadNotCreatable && node is TypeDeclarationSyntax)
            {
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

    /// <summary>Renames the field to a property name everywhere, then turns its declaration into <c>public T Name { get; set; }</c>, keeping its initializer.</summary>
    private static async Task<Solution> MakePropertyAsync(Document document, FieldDeclarationSyntax field, VariableDeclaratorSyntax variable, CancellationToken cancellationToken)
    {
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (model?.GetDeclaredSymbol(variable, cancellationToken) is not IFieldSymbol symbol)
        {
            return document.Project.Solution;
        }

        var name = PropertyName(symbol.Name);
        var annotation = new SyntaxAnnotation();
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var solution = document.WithSyntaxRoot(root!.ReplaceNode(field, field.WithAdditionalAnnotations(annotation))).Project.Solution;
        var annotated = solution.GetDocument(document.Id)!;
        var annotatedRoot = (await annotated.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        var annotatedModel = (await annotated.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false))!;
        var annotatedField = annotatedRoot.GetAnnotatedNodes(annotation).OfType<FieldDeclarationSyntax>().Single();
        var fieldSymbol = annotatedModel.GetDeclaredSymbol(annotatedField.Declaration.Variables[0], cancellationToken)!;
        solution = await Microsoft.CodeAnalysis.Rename.Renamer.RenameSymbolAsync(solution, fieldSymbol, new Microsoft.CodeAnalysis.Rename.SymbolRenameOptions(), name, cancellationToken).ConfigureAwait(false);

        var renamedRoot = (await solution.GetDocument(document.Id)!.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        var declaration = renamedRoot.GetAnnotatedNodes(annotation).OfType<FieldDeclarationSyntax>().Single();
        var declarator = declaration.Declaration.Variables[0];
        var property = SyntaxFactory.PropertyDeclaration(declaration.Declaration.Type, declarator.Identifier)
            .WithAttributeLists(declaration.AttributeLists)
            .WithModifiers(SyntaxFactory.TokenList(SyntaxFactory.Token(SyntaxKind.PublicKeyword)))
            .WithAccessorList(SyntaxFactory.AccessorList(SyntaxFactory.List(new[]
            {
                SyntaxFactory.AccessorDeclaration(SyntaxKind.GetAccessorDeclaration).WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken)),
                SyntaxFactory.AccessorDeclaration(SyntaxKind.SetAccessorDeclaration).WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken)),
            })));
        if (declarator.Initializer is { } initializer)
        {
            property = property.WithInitializer(initializer).WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.SemicolonToken));
        }

        property = property.WithLeadingTrivia(declaration.GetLeadingTrivia()).WithTrailingTrivia(declaration.GetTrailingTrivia())
            .WithAdditionalAnnotations(Microsoft.CodeAnalysis.Formatting.Formatter.Annotation);
        return solution.WithDocumentSyntaxRoot(document.Id, renamedRoot.ReplaceNode(declaration, property));
    }

    /// <summary>Gets the property name for a field name: <c>_factor</c>, <c>m_factor</c> and <c>factor</c> become <c>Factor</c>.</summary>
    private static string PropertyName(string field)
    {
        var name = field.TrimStart('_');
        if (name.Length > 2 && name[1] == '_' && name[0] is 'm' or 's' or 't')
        {
            name = name.Substring(2);
        }

        return name.Length == 0 ? field : char.ToUpperInvariant(name[0]) + name.Substring(1);
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
