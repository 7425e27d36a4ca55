namespace TransactionPipeline;

/// <summary>Keeps the raw transactions of each job.</summary>
/// <remarks>
/// Rows of a job that is not past its import are not yet valid; the pipeline deletes them when the job fails.
/// Registered as a singleton: implementations must be thread-safe.
/// </remarks>
public interface ITransactionStore
{
    /// <summary>Appends a batch of a job's transactions.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="batch">The batch, valid only until the returned task completes.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>
    /// A task that completes when the store has taken the batch: written, or copied and queued to be written by
    /// <see cref="CompleteAsync"/> at the latest. A failure to write it may be thrown by a later call for the job.
    /// </returns>
    /// <remarks>Batches of one job arrive one at a time and in order; batches of different jobs may arrive concurrently.</remarks>
    ValueTask AppendAsync(string jobId, TransactionBatch batch, CancellationToken cancellationToken);

    /// <summary>Called once a job's last batch is appended, before its import is recorded as complete.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the job's rows are durable and what the import held is released.</returns>
    /// <remarks>
    /// A store that syncs or closes per job does it here (the SQLite store checkpoints and closes the job's rows file).
    /// The default does nothing; a job that stored no rows is completed as well.
    /// </remarks>
    ValueTask CompleteAsync(string jobId, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <summary>Reads back a job's transactions, in import order.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The transactions, streamed.</returns>
    /// <remarks>
    /// A job's rows are readable once <see cref="CompleteAsync"/> has returned. Before that, a store may show none of them
    /// (the PostgreSQL store commits a job's whole import at once) or those appended so far.
    /// </remarks>
    IAsyncEnumerable<TransactionRecord> ReadAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Sums a completed import's rows per date in the store, for a job whose import ran in another process.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>
    /// One entry per date with rows, in any order, exact; or <see langword="null"/> when the store does not sum (the
    /// default), and the pipeline reads the rows back with <see cref="ReadAsync"/> and sums them itself.
    /// </returns>
    /// <remarks>
    /// A store that can sum where the rows are saves moving every row to the client: the PostgreSQL store runs a
    /// <c>GROUP BY date</c>, which Citus pushes down to its workers.
    /// </remarks>
    ValueTask<IReadOnlyList<DailyAggregate>?> SumByDateAsync(string jobId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<DailyAggregate>?>(null);

    /// <summary>Lists the jobs that have rows stored, for the retention sweep; an import not completed yet may be left out.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The ids of the jobs with rows, in no set order.</returns>
    ValueTask<IReadOnlyList<string>> ListStoredJobsAsync(CancellationToken cancellationToken);

    /// <summary>Deletes a job's transactions; a job that has none is not an error.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the rows are gone.</returns>
    ValueTask DeleteAsync(string jobId, CancellationToken cancellationToken);
}
