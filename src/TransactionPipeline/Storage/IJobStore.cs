namespace TransactionPipeline;

/// <summary>Keeps jobs, their configuration and their event streams: the storage primitives, with the engine's rules left to the engine.</summary>
/// <remarks>
/// <para>
/// The engine formats job ids (from a number this store reserves), decides each snapshot and event, and decides what
/// an update's <see cref="JobUpdateOutcome"/> means. The store keeps what it is given and makes each write atomic with
/// its checks: the owner check (leases are fenced) and the terminal check (a finished job never changes).
/// </para>
/// <para>
/// Several hosts may share one store. Ownership of a running job is a lease: the owner refreshes
/// <see cref="JobStatus.UpdatedAt"/> with every <see cref="UpdateAsync"/>, and another host may take the job
/// over with <see cref="TryClaimAsync"/> once the owner has been silent for the lease time.
/// </para>
/// <para>
/// Events are appended by <see cref="CreateAsync"/> and <see cref="UpdateAsync"/> in the same atomic write as the
/// snapshot they carry, so a job store is also the job's <see cref="IJobEventLog"/>; readers of events depend on that
/// role only. Registered as a singleton: implementations must be thread-safe.
/// </para>
/// </remarks>
public interface IJobStore : IJobEventLog
{
    /// <summary>Reserves the next job number of a day.</summary>
    /// <param name="day">The UTC day the job is created on.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A number from 1 up that this store never returned before for <paramref name="day"/>, whatever restarts or
    /// concurrent callers; numbers reserved and never used are simply skipped.</returns>
    ValueTask<long> ReserveJobNumberAsync(DateOnly day, CancellationToken cancellationToken);

    /// <summary>Stores a new job with its owner and appends its first event, in one atomic write.</summary>
    /// <param name="job">The job's first snapshot, its owner and the first event's type.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>
    /// The job as the store keeps it (a store may round times to its precision), once it and its event (sequence 1,
    /// timestamp <see cref="JobStatus.UpdatedAt"/>) are durable.
    /// </returns>
    /// <exception cref="InvalidOperationException">A job with the same id exists: nothing was written.</exception>
    ValueTask<JobStatus> CreateAsync(NewJob job, CancellationToken cancellationToken);

    /// <summary>Finds a job.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The job, or <see langword="null"/> when no job has that id.</returns>
    ValueTask<JobStatus?> FindAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Replaces a job's snapshot and appends an event when one is given, if the job exists, is not terminal and is owned by the update's owner.</summary>
    /// <param name="update">The new snapshot, the owner making it and the optional event type.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>
    /// What happened, with the appended event. Anything but <see cref="JobUpdateOutcome.Updated"/> means nothing was
    /// written. The checks and the write are atomic, and the update never changes the owner (only <see cref="TryClaimAsync"/> does).
    /// </returns>
    ValueTask<JobUpdateResult> UpdateAsync(JobUpdate update, CancellationToken cancellationToken);

    /// <summary>Stores the configuration a job's request carried, for the stages and for a resume after restart.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="configuration">The configuration.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the configuration is durable.</returns>
    /// <exception cref="InvalidOperationException">The job does not exist.</exception>
    ValueTask SaveConfigurationAsync(string jobId, PipelineConfiguration configuration, CancellationToken cancellationToken);

    /// <summary>Reads the configuration stored by <see cref="SaveConfigurationAsync"/>.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The configuration, or <see langword="null"/> when none was stored.</returns>
    ValueTask<PipelineConfiguration?> FindConfigurationAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Takes ownership of a job that is not terminal and whose owner is this one or has gone silent.</summary>
    /// <param name="claim">The job, the new owner and the staleness limit.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the caller now owns the job.</returns>
    ValueTask<bool> TryClaimAsync(JobClaim claim, CancellationToken cancellationToken);

    /// <summary>Records a request to cancel an unfinished job, for the host that owns it to act on.</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="requestedBy">Who asked; a later request replaces an earlier one.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>
    /// <see cref="JobUpdateOutcome.Updated"/> when recorded, <see cref="JobUpdateOutcome.NotFound"/> for an unknown job, and
    /// <see cref="JobUpdateOutcome.Terminal"/> for a finished one (nothing is recorded).
    /// </returns>
    ValueTask<JobUpdateOutcome> RequestCancellationAsync(string jobId, string requestedBy, CancellationToken cancellationToken);

    /// <summary>Lists the cancellation requests of the unfinished jobs that <paramref name="ownerId"/> holds.</summary>
    /// <param name="ownerId">The owner.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The requests; the owner polls this about once per <see cref="TransactionPipelineOptions.EventPollInterval"/>.</returns>
    ValueTask<IReadOnlyList<JobCancellationRequest>> ListCancellationRequestsAsync(string ownerId, CancellationToken cancellationToken);

    /// <summary>Deletes a finished job with its events; an unfinished job is left as it is.</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the job was complete or failed and is gone; <see langword="false"/> when it is unknown or unfinished.</returns>
    /// <remarks>The job and its events go in one transaction: a reader sees the whole job or nothing of it.</remarks>
    ValueTask<bool> DeleteAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Takes or renews a named lease, which one holder at a time has until it expires: for work one host of many should do, such as the retention sweep.</summary>
    /// <param name="name">The lease.</param>
    /// <param name="holder">Who asks: the same holder renews its lease.</param>
    /// <param name="now">The caller's current time.</param>
    /// <param name="duration">How long the lease lasts from <paramref name="now"/> unless renewed.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when <paramref name="holder"/> holds the lease now; <see langword="false"/> while another holder's lease has not expired.</returns>
    ValueTask<bool> TryAcquireLeaseAsync(string name, string holder, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>Lists jobs newest first: by creation time, then by id, both descending.</summary>
    /// <param name="query">
    /// The filters (<see cref="JobQuery.State"/>, <see cref="JobQuery.CreatedAfter"/>), and the position to start after
    /// (<see cref="JobQuery.TryGetPosition"/>: only jobs that sort after it, that is created earlier, or at the same time with a smaller id).
    /// </param>
    /// <param name="limit">How many jobs to answer at most; the pipeline asks one more than a page holds, to know whether another follows.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>At most <paramref name="limit"/> jobs.</returns>
    ValueTask<IReadOnlyList<JobStatus>> ListAsync(JobQuery query, int limit, CancellationToken cancellationToken);

    /// <summary>Lists the jobs that are neither complete nor failed.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The unfinished jobs, oldest first.</returns>
    ValueTask<IReadOnlyList<JobStatus>> ListUnfinishedAsync(CancellationToken cancellationToken);
}
