
namespace TransactionPipeline.Jobs;

/// <summary>Turns what stopped a job into the error it ends <see cref="JobState.Failed"/> with.</summary>
internal static class JobErrors
{
    /// <summary>The error for <paramref name="exception"/>.</summary>
    /// <param name="exception">What stopped the job.</param>
    /// <param name="callerToken">The token of the caller that ran the job, to tell its cancellation from others.</param>
    public static JobError From(Exception exception, CancellationToken callerToken) => exception switch
    {
        InvalidInputException invalid => invalid.Error,
        OperationCanceledException when callerToken.IsCancellationRequested =>
            new JobError(JobErrorKind.Cancelled, "The job was cancelled by its caller."),
        OperationCanceledException => new JobError(JobErrorKind.Cancelled, "The job was cancelled."),
        _ => new JobError(JobErrorKind.StageFailed, $"{exception.GetType().Name}: {exception.Message}"),
    };
}
