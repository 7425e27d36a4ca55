namespace TransactionPipeline;

/// <summary>Thrown by an input stream whose source went away before its end: for example, an HTTP client that disconnected mid-upload.</summary>
/// <remarks>
/// A host that reads the input from a network connection wraps the connection's own failure in this type; the job then
/// fails with <see cref="JobErrorKind.ClientDisconnected"/> and the rows and bytes it had read, instead of as a failed stage.
/// </remarks>
public sealed class InputAbortedException : IOException
{
    /// <summary>Initializes a new instance of the <see cref="InputAbortedException"/> class.</summary>
    public InputAbortedException()
        : base("The input's source went away before its end.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InputAbortedException"/> class.</summary>
    /// <param name="message">What happened.</param>
    public InputAbortedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="InputAbortedException"/> class.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The connection's own exception.</param>
    public InputAbortedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
