namespace TransactionPipeline.Jobs;

/// <summary>Turns what stopped a job into the error it ends <see cref="JobState.Failed"/> with: what happened, and how far the job got.</summary>
internal sealed class JobErrorClassifier(IEnumerable<IStoreErrorClassifier> stores, HostStopping host)
{
    private readonly IStoreErrorClassifier[] _stores = stores.ToArray();

    /// <summary>The error for <paramref name="exception"/>.</summary>
    /// <param name="exception">What stopped the job.</param>
    /// <param name="reached">The counts the job had reached, said in the message.</param>
    /// <param name="callerToken">The token of the caller that ran the job, to tell its cancellation from others.</param>
    /// <param name="cancelledBy">Who cancelled the job through <see cref="IPipeline.CancelAsync"/>, if anybody did.</param>
    public JobError From(Exception exception, JobProgress reached, CancellationToken callerToken, string? cancelledBy = null)
    {
        var progress = $"after {reached.TransactionsImported} transactions ({reached.BytesRead} bytes)";
        if (exception is InvalidInputException invalid)
        {
            return invalid.Error;
        }

        if (cancelledBy is not null && exception is not OperationCanceledException)
        {
            // Stopping a job mid-write can surface as the store's own error (a COPY cut off, an import aborted under
            // the writer) instead of a cancellation; the cancellation is the cause.
            return new JobError(JobErrorKind.Cancelled, $"The job was cancelled by {cancelledBy} {progress}.");
        }

        if (StoreFault(exception) is { } fault)
        {
            return fault.Kind == JobErrorKind.StorageFull
                ? new JobError(JobErrorKind.StorageFull, $"The store ran out of space {progress}: {fault.Cause.Message} Free space, then submit the file again.")
                : new JobError(JobErrorKind.StoreUnavailable, $"The store stopped answering {progress}: {fault.Cause.Message}");
        }

        return exception switch
        {
            UploadExpiredException expired => new JobError(
                JobErrorKind.UploadExpired, $"The upload expired {progress}: {expired.Message}"),
            InputAbortedException aborted => new JobError(
                JobErrorKind.ClientDisconnected, $"The client stopped sending the input {progress}: {aborted.Message}"),
            // A stopping host cancels its callers too: the shutdown is the cause.
            OperationCanceledException when host.IsStopping =>
                new JobError(JobErrorKind.HostShutdown, $"The host shut down {progress}; submit the file again."),
            OperationCanceledException when cancelledBy is not null =>
                new JobError(JobErrorKind.Cancelled, $"The job was cancelled by {cancelledBy} {progress}."),
            OperationCanceledException when callerToken.IsCancellationRequested =>
                new JobError(JobErrorKind.Cancelled, $"The job was cancelled by its caller {progress}."),
            OperationCanceledException => new JobError(JobErrorKind.Cancelled, $"The job was cancelled {progress}."),
            _ => new JobError(JobErrorKind.StageFailed, $"{exception.GetType().Name}: {exception.Message}"),
        };
    }

    /// <summary>Finds, in the exception or what caused it, a fault the store's classifier recognises, or a disk that is full.</summary>
    private (JobErrorKind Kind, Exception Cause)? StoreFault(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            foreach (var store in _stores)
            {
                if (store.Classify(current) is { } kind and (JobErrorKind.StorageFull or JobErrorKind.StoreUnavailable))
                {
                    return (kind, current);
                }
            }

            // An AggregateException's InnerException is its first inner exception, so the walk goes through it too.
            if (current is IOException io && IsDiskFull(io))
            {
                return (JobErrorKind.StorageFull, current);
            }
        }

        return null;
    }

    // ENOSPC on Unix, ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL on Windows.
    private static bool IsDiskFull(IOException exception) =>
        exception.HResult is 28 or unchecked((int)0x80070070) or unchecked((int)0x80070027);
}
