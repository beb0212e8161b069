namespace Concurrency;

/// <summary>
/// A workload threw while running an item. The same type is thrown whatever the executor, so swapping
/// executors never changes a <see langword="catch"/> block.
/// </summary>
/// <remarks>
/// When the workload ran in this process, <see cref="Exception.InnerException"/> is the original exception.
/// When it ran elsewhere, the original cannot cross the boundary safely; its type name and stack trace
/// travel as text in <see cref="RemoteExceptionType"/> and <see cref="RemoteStackTrace"/>.
/// </remarks>
public class WorkloadException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="WorkloadException"/> class.</summary>
    public WorkloadException()
        : this("The workload threw an exception.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WorkloadException"/> class.</summary>
    /// <param name="message">The message.</param>
    public WorkloadException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WorkloadException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The original exception, when the workload ran in this process.</param>
    public WorkloadException(string message, Exception? innerException)
        : base(message, innerException)
    {
        RemoteExceptionType = innerException?.GetType().FullName ?? typeof(Exception).FullName!;
        RemoteStackTrace = innerException?.StackTrace;
    }

    /// <summary>Initializes a new instance of the <see cref="WorkloadException"/> class for an exception that was thrown elsewhere.</summary>
    /// <param name="message">The message; it should carry the original message.</param>
    /// <param name="remoteExceptionType">The full name of the original exception's type.</param>
    /// <param name="remoteStackTrace">The original stack trace, if known.</param>
    /// <exception cref="ArgumentNullException"><paramref name="remoteExceptionType"/> is <see langword="null"/>.</exception>
    public WorkloadException(string message, string remoteExceptionType, string? remoteStackTrace)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(remoteExceptionType);
        RemoteExceptionType = remoteExceptionType;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>Gets the full name of the original exception's type, such as <c>System.ArgumentException</c>.</summary>
    public string RemoteExceptionType { get; }

    /// <summary>Gets the original exception's stack trace, with the frames of the workload, if known.</summary>
    public string? RemoteStackTrace { get; }

    /// <summary>
    /// Returns the exception's text: its type, message and stack trace, and, when the workload ran in another process,
    /// the original exception's type and stack trace there, so that a log of the failure shows where the workload failed.
    /// </summary>
    /// <returns>The text, in the layout of <see cref="Exception.ToString"/>.</returns>
    public override string ToString()
    {
        if (InnerException is not null || RemoteStackTrace is null)
        {
            return base.ToString();
        }

        var text = new System.Text.StringBuilder();
        text.Append(GetType().FullName).Append(": ").Append(Message)
            .Append(" ---> ").Append(RemoteExceptionType).Append(" (thrown where the workload ran)").Append(Environment.NewLine)
            .Append(RemoteStackTrace).Append(Environment.NewLine)
            .Append("   --- End of remote exception stack trace ---");
        if (StackTrace is { } local)
        {
            text.Append(Environment.NewLine).Append(local);
        }

        return text.ToString();
    }

    /// <summary>Creates the exception that reports <paramref name="exception"/>, thrown by <paramref name="workloadType"/> in this process.</summary>
    internal static WorkloadException FromInProcess(Type workloadType, Exception exception) =>
        new(FormatMessage(workloadType.FullName ?? workloadType.Name, exception.GetType().FullName ?? exception.GetType().Name, exception.Message), exception);

    /// <summary>Formats the message every executor uses, so the text is the same wherever the workload ran.</summary>
    internal static string FormatMessage(string workloadType, string exceptionType, string message) =>
        $"Workload {workloadType} threw {exceptionType}: {message}";
}
