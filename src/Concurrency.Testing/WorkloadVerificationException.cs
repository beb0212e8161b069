namespace Concurrency.Testing;

/// <summary>
/// Thrown by <see cref="WorkloadVerifier"/> when a workload gives a different result, or a different exception type, on
/// one executor kind than on the baseline kind, or cannot run on a kind at all.
/// </summary>
/// <remarks>The message names the input, the member path and both values; the properties carry the same for code.</remarks>
public class WorkloadVerificationException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="WorkloadVerificationException"/> class.</summary>
    public WorkloadVerificationException()
        : this("The workload behaves differently on two executor kinds.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WorkloadVerificationException"/> class.</summary>
    /// <param name="message">The message.</param>
    public WorkloadVerificationException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WorkloadVerificationException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception that stopped a kind from running the workload, if any.</param>
    public WorkloadVerificationException(string message, Exception? innerException)
        : base(message, innerException)
    {
        BaselineKind = string.Empty;
        Kind = string.Empty;
        MemberPath = string.Empty;
        InputIndex = -1;
    }

    /// <summary>Initializes a new instance of the <see cref="WorkloadVerificationException"/> class for a difference found.</summary>
    /// <param name="message">The message.</param>
    /// <param name="baselineKind">The kind the others are compared with.</param>
    /// <param name="kind">The kind that differs.</param>
    /// <param name="inputIndex">The position of the input whose outcome differs, or -1 when the kind could not run the workload.</param>
    /// <param name="memberPath">The path from the result to the member that differs (empty: the result itself).</param>
    /// <param name="innerException">The exception that stopped the kind from running the workload, if any.</param>
    public WorkloadVerificationException(string message, string baselineKind, string kind, long inputIndex, string memberPath, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(baselineKind);
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(memberPath);
        BaselineKind = baselineKind;
        Kind = kind;
        InputIndex = inputIndex;
        MemberPath = memberPath;
    }

    /// <summary>Gets the kind the others were compared with, such as <c>Threads</c>.</summary>
    public string BaselineKind { get; }

    /// <summary>Gets the kind whose outcome differs, such as <c>Processes</c>.</summary>
    public string Kind { get; }

    /// <summary>Gets the position of the first input whose outcome differs, counted from 0, or -1 when the kind could not run the workload.</summary>
    public long InputIndex { get; }

    /// <summary>Gets the path from the result to the first member that differs, such as <c>.Shapes[2].Radius</c>; empty for the result itself.</summary>
    public string MemberPath { get; }
}
