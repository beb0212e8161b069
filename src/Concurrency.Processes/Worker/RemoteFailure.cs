using System.Reflection;
using System.Text;

namespace Concurrency.Processes.Worker;

/// <summary>Describes an exception caught in a worker for a message that crosses to the pool, keeping its cause.</summary>
internal static class RemoteFailure
{
    /// <summary>
    /// Gets every exception of the chain as "type: message", outermost first, then, on the following lines, the whole
    /// chain with its stack traces: the user's type that threw, its message and where it failed reach the caller's logs.
    /// </summary>
    public static string Describe(Exception exception)
    {
        var text = new StringBuilder();
        for (Exception? ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is TargetInvocationException { InnerException: not null })
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append(" ---> ");
            }

            text.Append(ex.GetType().FullName).Append(": ").Append(ex.Message);
        }

        return text.Append(Environment.NewLine).Append("In the worker: ").Append(exception).ToString();
    }
}
