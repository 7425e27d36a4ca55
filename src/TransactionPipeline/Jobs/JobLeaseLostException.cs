namespace TransactionPipeline;

/// <summary>Thrown by the engine's job writer when <see cref="IJobStore.UpdateAsync"/> answers <see cref="JobUpdateOutcome.LeaseLost"/>.</summary>
/// <remarks>
/// The writer's lease lapsed and another host took the job over with <see cref="IJobStore.TryClaimAsync"/>. The
/// pipeline then stops its own run of the job and writes nothing more for it: the new owner's status, events and
/// results stand.
/// </remarks>
internal sealed class JobLeaseLostException : InvalidOperationException
{
    /// <summary>Initializes a new instance for a job that <paramref name="ownerId"/> no longer owns.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="ownerId">The instance that tried to write.</param>
    public JobLeaseLostException(string jobId, string ownerId)
        : base($"Job '{jobId}' is no longer owned by '{ownerId}': another instance took it over after its lease lapsed.")
    {
        JobId = jobId;
        OwnerId = ownerId;
    }

    /// <summary>Gets the job id.</summary>
    public string JobId { get; }

    /// <summary>Gets the instance that lost the job.</summary>
    public string OwnerId { get; }
}
