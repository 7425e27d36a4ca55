namespace TransactionPipeline;

/// <summary>Keeps each job's aggregates, assessments and offers.</summary>
/// <remarks>Registered as a singleton: implementations must be thread-safe.</remarks>
public interface IResultStore
{
    /// <summary>Stores a job's results in one atomic step, replacing any earlier results of the same job.</summary>
    /// <param name="result">The results.</param>
    /// <param name="ownerId">
    /// The owner saving them: the store writes only while the job is unfinished and held by this owner, checked in the same
    /// transaction when jobs live in the same database, so a host whose lease was taken over cannot replace the new owner's
    /// results. <see langword="null"/> saves without the check (tools and tests).
    /// </param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the results are durable; <see langword="false"/> when the owner no longer holds the job, and nothing was written.</returns>
    ValueTask<bool> SaveAsync(JobResult result, string? ownerId, CancellationToken cancellationToken = default);

    /// <summary>Reads a job's results.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The results, or <see langword="null"/> when none are stored.</returns>
    ValueTask<JobResult?> FindAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Deletes a job's results.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the results are gone.</returns>
    ValueTask DeleteAsync(string jobId, CancellationToken cancellationToken);
}
