namespace TransactionPipeline;

/// <summary>The input of <see cref="IJobStore.TryClaimAsync"/>.</summary>
/// <param name="JobId">The job to claim.</param>
/// <param name="OwnerId">The claiming instance.</param>
/// <param name="ClaimedAt">The time of the claim, stored as the job's <see cref="JobStatus.UpdatedAt"/>.</param>
/// <param name="StaleBefore">Another owner's lease counts as lapsed when its last update is older than this.</param>
public sealed record JobClaim(string JobId, string OwnerId, DateTimeOffset ClaimedAt, DateTimeOffset StaleBefore);
