namespace TransactionPipeline;

/// <summary>Keeps each job's aggregates, assessments and offers.</summary>
/// <remarks>Registered as a singleton: implementations must be thread-safe.</remarks>
public interface IResultStore
{
    /// <summary>Stores a job's results in one atomic step, replacing any earlier results of the same job.</summary>
    /// <param name="result">The results.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the results are durable.</returns>
    ValueTask SaveAsync(JobResult result, CancellationToken cancellationToken);

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
