using Microsoft.Extensions.Logging;

namespace TransactionPipeline.Jobs;

/// <summary>The pipeline's log messages, source-generated; event ids are stable.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(100, LogLevel.Information, "Job {JobId} created.")]
    public static partial void JobCreated(ILogger logger, string jobId);

    [LoggerMessage(101, LogLevel.Error, "Job {JobId} failed ({Kind}) at item {ItemIndex}, byte offset {ByteOffset}: {Message}")]
    public static partial void JobFailed(ILogger logger, string jobId, JobErrorKind kind, long? itemIndex, long? byteOffset, string message);

    [LoggerMessage(108, LogLevel.Information, "Job {JobId} imported {Transactions} transactions ({Bytes} bytes).")]
    public static partial void JobImported(ILogger logger, string jobId, long transactions, long bytes);

    [LoggerMessage(109, LogLevel.Information, "Job {JobId} complete: {Transactions} transactions, {Aggregates} aggregates, {Offers} offers in {Seconds} s.")]
    public static partial void JobCompleted(ILogger logger, string jobId, long transactions, int aggregates, int offers, double seconds);

    [LoggerMessage(110, LogLevel.Debug, "Job {JobId}: stage {Stage} took {Seconds} s.")]
    public static partial void StageCompleted(ILogger logger, string jobId, string stage, double seconds);

    [LoggerMessage(102, LogLevel.Warning, "Job {JobId} was taken over by another instance; this instance stopped it and writes nothing more for it.")]
    public static partial void LeaseLost(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(103, LogLevel.Error, "Job {JobId} failed, but its rows or results could not be deleted yet; recovery retries until they are gone, and they are never visible as results meanwhile.")]
    public static partial void CleanupFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(104, LogLevel.Information, "Job {JobId} taken over from a silent owner at stage {Stage}.")]
    public static partial void JobTakenOver(ILogger logger, string jobId, PipelineStage stage);

    [LoggerMessage(105, LogLevel.Information, "Job {JobId} left unfinished at stage {Stage} as the host stops; the next owner resumes it from its stored rows.")]
    public static partial void LeftForResume(ILogger logger, string jobId, PipelineStage stage);

    [LoggerMessage(106, LogLevel.Error, "Job {JobId} failed ({Kind}), but the store could not record it; recovery writes the failure once the store answers.")]
    public static partial void FailurePending(ILogger logger, string jobId, JobErrorKind kind, Exception exception);

    [LoggerMessage(107, LogLevel.Error, "Job {JobId}: the store refused its failure {Attempts} times; it is given up, and the job is recovered as any unfinished one.")]
    public static partial void FailureGivenUp(ILogger logger, string jobId, int attempts, Exception exception);

    [LoggerMessage(111, LogLevel.Information, "Job {JobId} ({State}) deleted with its rows, results, events and webhooks: {Reason}.")]
    public static partial void JobDeleted(ILogger logger, string jobId, JobState state, string reason);

    [LoggerMessage(112, LogLevel.Information,
        "Retention removed the raw rows of {RowSets} jobs, {CompletedJobs} completed jobs, {FailedJobs} failed jobs and {IdempotencyKeys} expired idempotency keys.")]
    public static partial void RetentionSwept(ILogger logger, int rowSets, int completedJobs, int failedJobs, int idempotencyKeys);

    [LoggerMessage(200, LogLevel.Error, "The worker's {Loop} failed and retries in {Delay}.")]
    public static partial void LoopFailed(ILogger logger, string loop, TimeSpan delay, Exception exception);

    [LoggerMessage(201, LogLevel.Error, "The worker could not run job {JobId}; it stays unfinished and is retried by recovery.")]
    public static partial void JobRunFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(202, LogLevel.Error, "The worker could not recover job {JobId}; it is retried on the next tick.")]
    public static partial void RecoveryFailed(ILogger logger, string jobId, Exception exception);
}
