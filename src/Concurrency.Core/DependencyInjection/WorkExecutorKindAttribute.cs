namespace Concurrency;

/// <summary>
/// Makes an executor kind known to <c>AddWorkExecutor(configuration)</c>. An executor package carries
/// this attribute on its assembly; an application that references the package can then choose the
/// kind by name in configuration, without registering it by hand.
/// </summary>
/// <param name="kind">The kind's name, matched case-insensitively against the <c>Kind</c> configuration value.</param>
/// <param name="registrarType">A type with a public parameterless constructor that implements <see cref="IWorkExecutorRegistrar"/>.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class WorkExecutorKindAttribute(string kind, Type registrarType) : Attribute
{
    /// <summary>Gets the kind's name, such as <c>Threads</c>.</summary>
    public string Kind { get; } = kind;

    /// <summary>Gets the type that registers the kind's executor.</summary>
    public Type RegistrarType { get; } = registrarType;
}
