namespace TransactionPipeline;

/// <summary>The input of <see cref="IJobStore.UpdateAsync"/>.</summary>
/// <param name="Status">The job's new snapshot; its <see cref="JobStatus.UpdatedAt"/> refreshes the owner's lease.</param>
/// <param name="OwnerId">The owner making the update; the store refuses it unless this is the job's current owner.</param>
/// <param name="EventType">The event to append with the update, or <see langword="null"/>.</param>
public sealed record JobUpdate(JobStatus Status, string OwnerId, string? EventType = null);
