namespace TransactionPipeline;

/// <summary>Thrown by an input stream whose upload was not resumed in time: it stayed idle longer than its expiry before its last byte.</summary>
/// <remarks>The job then fails with <see cref="JobErrorKind.UploadExpired"/> and the rows and bytes it had read.</remarks>
public sealed class UploadExpiredException : IOException
{
    /// <summary>Initializes a new instance of the <see cref="UploadExpiredException"/> class.</summary>
    public UploadExpiredException()
        : base("The upload stayed idle longer than its expiry.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UploadExpiredException"/> class.</summary>
    /// <param name="message">What happened.</param>
    public UploadExpiredException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UploadExpiredException"/> class.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public UploadExpiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
