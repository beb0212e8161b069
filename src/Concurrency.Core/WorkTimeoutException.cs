namespace Concurrency;

/// <summary>An item ran past the executor's item timeout and was stopped.</summary>
public class WorkTimeoutException : TimeoutException
{
    /// <summary>Initializes a new instance of the <see cref="WorkTimeoutException"/> class.</summary>
    public WorkTimeoutException()
        : this("The item ran past its timeout and was stopped.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WorkTimeoutException"/> class.</summary>
    /// <param name="message">The message.</param>
    public WorkTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="WorkTimeoutException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public WorkTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
