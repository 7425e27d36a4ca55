namespace TransactionPipeline;

/// <summary>Runs jobs through import, aggregation, credit model and offers, and answers for them.</summary>
/// <remarks>
/// <see cref="RunAsync"/> runs every stage on the caller's task. <see cref="SubmitAsync"/> runs the import on the
/// caller's task (the input is a stream only the caller holds) and leaves the remaining stages to
/// <see cref="IPipelineWorker.ProcessJobsAsync"/>, which the hosting package runs as a background service.
/// </remarks>
public interface IPipeline
{
    /// <summary>Runs a job from input to offers.</summary>
    /// <param name="input">The input: a JSON body in the seed's shape, or transactions and configuration.</param>
    /// <param name="cancellationToken">Cancels the job, which then ends <see cref="JobState.Failed"/>.</param>
    /// <returns>The job in its terminal state. Invalid input gives a failed job, not an exception.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is <see langword="null"/>.</exception>
    Task<JobStatus> RunAsync(PipelineInput input, CancellationToken cancellationToken = default);

    /// <summary>Imports a job's input and queues its remaining stages for the background worker.</summary>
    /// <param name="input">The input.</param>
    /// <param name="cancellationToken">Cancels the import, which then ends the job <see cref="JobState.Failed"/>.</param>
    /// <returns>The job after import: <see cref="JobState.InProgress"/>, or <see cref="JobState.Failed"/> with its error.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is <see langword="null"/>.</exception>
    Task<JobStatus> SubmitAsync(PipelineInput input, CancellationToken cancellationToken = default);

    /// <summary>Reads a job's status.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The job, or <see langword="null"/> when there is no such job.</returns>
    Task<JobStatus?> GetStatusAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Reads a completed job's results.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The results, or <see langword="null"/> unless the job is <see cref="JobState.JobComplete"/>.</returns>
    Task<JobResult?> GetResultAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Reads a job's results, or says why there are none: the job is unknown, not complete yet, or failed.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>What was found, with the job's status and, for a complete job, its results.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="jobId"/> is <see langword="null"/>.</exception>
    Task<JobResultLookup> FindResultAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Lists jobs newest first, one page at a time.</summary>
    /// <param name="query">The filters, the page size and the cursor of the page before.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The page, with the cursor of the next one.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="JobQuery.Limit"/> is not between 1 and <see cref="JobQuery.MaxLimit"/>.</exception>
    /// <exception cref="FormatException"><see cref="JobQuery.Cursor"/> is not a cursor a page gave.</exception>
    Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken cancellationToken = default);

    /// <summary>Streams a job's events from the start (or after <paramref name="afterSequence"/>) until its terminal event.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="afterSequence">The last sequence already seen; 0 replays the whole stream.</param>
    /// <param name="cancellationToken">Stops the stream.</param>
    /// <returns>The events; the stream ends after <c>JOB_COMPLETE</c> or <c>FAILED</c>, and is empty for an unknown job.</returns>
    IAsyncEnumerable<JobEvent> WatchAsync(string jobId, long afterSequence, CancellationToken cancellationToken = default);

    /// <summary>Waits until a job is complete or failed.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Stops waiting; the job goes on.</param>
    /// <returns>The job in its terminal state.</returns>
    /// <exception cref="KeyNotFoundException">There is no such job.</exception>
    Task<JobStatus> WaitForCompletionAsync(string jobId, CancellationToken cancellationToken = default);

    /// <summary>Cancels an unfinished job, on this instance or any other that shares the store.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="requestedBy">Who asked, said in the job's error (<c>The job was cancelled by {requestedBy} ...</c>); <c>IPipeline.CancelAsync</c> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns><see langword="true"/> when the job is cancelling; <see langword="false"/> when it is unknown or already finished.</returns>
    /// <remarks>
    /// A job this instance holds stops at once. Otherwise the request is kept in the store, and the worker of the
    /// instance that owns the job acts on it within about <see cref="TransactionPipelineOptions.EventPollInterval"/>:
    /// the job stops, its partial rows are removed, and it ends <see cref="JobState.Failed"/> with kind
    /// <see cref="JobErrorKind.Cancelled"/>.
    /// </remarks>
    Task<bool> CancelAsync(string jobId, string? requestedBy = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a finished job with its raw rows, results, events and webhook subscriptions.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// <see cref="JobDeletion.Deleted"/>; <see cref="JobDeletion.NotFound"/> for an unknown job; <see cref="JobDeletion.NotFinished"/>
    /// for a job still running, which is left as it is (cancel it first).
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="jobId"/> is <see langword="null"/>.</exception>
    Task<JobDeletion> DeleteAsync(string jobId, CancellationToken cancellationToken = default);
}
