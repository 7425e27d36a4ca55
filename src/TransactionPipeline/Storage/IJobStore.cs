namespace TransactionPipeline;

/// <summary>Keeps jobs, their configuration and their event streams.</summary>
/// <remarks>
/// <para>
/// Several hosts may share one store. Ownership of a running job is a lease: the owner refreshes
/// <see cref="JobStatus.UpdatedAt"/> with every <see cref="UpdateAsync"/>, and another host may take the job
/// over with <see cref="TryClaimAsync"/> once the owner has been silent for the lease time.
/// </para>
/// <para>Registered as a singleton: implementations must be thread-safe.</para>
/// </remarks>
public interface IJobStore
{
    /// <summary>Creates a job in state <see cref="JobState.Open"/> with a new id, and appends its first event.</summary>
    /// <param name="request">Who owns the job and when it was created.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new job. Its id has the form <c>pipeline_yyyyMMdd_NNN</c> and was never used before in this store.</returns>
    ValueTask<JobStatus> CreateAsync(JobCreateRequest request, CancellationToken cancellationToken);

    /// <summary>Finds a job.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The job, or <see langword="null"/> when no job has that id.</returns>
    ValueTask<JobStatus?> FindAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Replaces a job's state, stage, progress and error, and appends an event when one is given.</summary>
    /// <param name="update">The new snapshot, the owner making it and the optional event type.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The appended event, or <see langword="null"/> when the update carried none.</returns>
    /// <exception cref="JobLeaseLostException">
    /// The job is owned by another instance than <see cref="JobUpdate.OwnerId"/>: nothing was written. The check and the
    /// write are atomic, and the update never changes the owner (only <see cref="TryClaimAsync"/> does).
    /// </exception>
    /// <exception cref="InvalidOperationException">The job does not exist, or is already terminal.</exception>
    ValueTask<JobEvent?> UpdateAsync(JobUpdate update, CancellationToken cancellationToken);

    /// <summary>Stores the configuration a job's request carried, for the stages and for a resume after restart.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="configuration">The configuration.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the configuration is durable.</returns>
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

    /// <summary>Lists the jobs that are neither complete nor failed.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The unfinished jobs, oldest first.</returns>
    ValueTask<IReadOnlyList<JobStatus>> ListUnfinishedAsync(CancellationToken cancellationToken);

    /// <summary>Reads a job's events after a given sequence number.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="afterSequence">The last sequence the caller has seen; 0 for all.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The events, in sequence order.</returns>
    ValueTask<IReadOnlyList<JobEvent>> ReadEventsAsync(string jobId, long afterSequence, CancellationToken cancellationToken);
}

/// <summary>The input of <see cref="IJobStore.CreateAsync"/>.</summary>
/// <param name="OwnerId">The id of the pipeline instance that runs the job.</param>
/// <param name="CreatedAt">The creation time; its UTC date names the job id.</param>
/// <param name="BytesTotal">The input's length when known up front.</param>
public sealed record JobCreateRequest(string OwnerId, DateTimeOffset CreatedAt, long? BytesTotal = null);

/// <summary>The input of <see cref="IJobStore.UpdateAsync"/>.</summary>
/// <param name="Status">The job's new snapshot; its <see cref="JobStatus.UpdatedAt"/> refreshes the owner's lease.</param>
/// <param name="OwnerId">The owner making the update; the store refuses it unless this is the job's current owner.</param>
/// <param name="EventType">The event to append with the update, or <see langword="null"/>.</param>
public sealed record JobUpdate(JobStatus Status, string OwnerId, string? EventType = null);

/// <summary>The input of <see cref="IJobStore.TryClaimAsync"/>.</summary>
/// <param name="JobId">The job to claim.</param>
/// <param name="OwnerId">The claiming instance.</param>
/// <param name="ClaimedAt">The time of the claim, stored as the job's <see cref="JobStatus.UpdatedAt"/>.</param>
/// <param name="StaleBefore">Another owner's lease counts as lapsed when its last update is older than this.</param>
public sealed record JobClaim(string JobId, string OwnerId, DateTimeOffset ClaimedAt, DateTimeOffset StaleBefore);
