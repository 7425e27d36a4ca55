namespace TransactionPipeline;

/// <summary>The input of <see cref="IJobStore.CreateAsync"/>: a job as the engine made it.</summary>
/// <param name="Status">The first snapshot; its id was formatted by <see cref="JobIds.Format"/> from a reserved number.</param>
/// <param name="OwnerId">The id of the pipeline instance that runs the job.</param>
/// <param name="EventType">The type of the job's first event, stored as sequence 1 with <see cref="Status"/>.</param>
public sealed record NewJob(JobStatus Status, string OwnerId, string EventType)
{
    /// <summary>Returns a job as the pipeline creates one: <see cref="JobState.Open"/>, nothing read, first event <see cref="JobEventTypes.JobCreated"/>.</summary>
    /// <param name="jobId">The id, from <see cref="JobIds.Format"/>.</param>
    /// <param name="ownerId">The instance that runs the job.</param>
    /// <param name="createdAt">The creation time.</param>
    /// <param name="bytesTotal">The input's length when known up front.</param>
    /// <param name="tenant">The tenant the job belongs to, kept as <see cref="JobStatus.Tenant"/>.</param>
    /// <returns>The new job.</returns>
    public static NewJob Open(string jobId, string ownerId, DateTimeOffset createdAt, long? bytesTotal = null, string? tenant = null) =>
        new(
            new JobStatus
            {
                JobId = jobId,
                State = JobState.Open,
                Stage = PipelineStage.Created,
                Progress = JobProgress.None with { BytesTotal = bytesTotal },
                CreatedAt = createdAt,
                UpdatedAt = createdAt,
                Tenant = tenant,
            },
            ownerId,
            JobEventTypes.JobCreated);
}
