namespace TransactionPipeline;

/// <summary>Reads jobs' event streams: what the event stream route, webhook delivery and event watchers need, and nothing more.</summary>
/// <remarks>
/// Events are written by <see cref="IJobStore"/> together with the snapshot they carry, so every job store is an event log;
/// a reader takes this role to say that it only reads. Registered as a singleton: implementations must be thread-safe.
/// </remarks>
public interface IJobEventLog
{
    /// <summary>Reads a job's events after a given sequence number.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="afterSequence">The last sequence the caller has seen; 0 for all.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The events, in sequence order; empty for an unknown job.</returns>
    ValueTask<IReadOnlyList<JobEvent>> ReadEventsAsync(string jobId, long afterSequence, CancellationToken cancellationToken);
}
