using Microsoft.Extensions.Logging;

namespace TransactionPipeline.Jobs;

/// <summary>Writes this instance's changes to its jobs: every status update and event, and the failure path.</summary>
/// <remarks>
/// The engine's side of the job rules: it numbers and formats ids, makes the first event, and turns each update's
/// <see cref="JobUpdateOutcome"/> into what the run does next. Every write carries <see cref="InstanceId"/> as the expected
/// owner, so a store that finds another owner answers <see cref="JobUpdateOutcome.LeaseLost"/>, and this instance writes
/// nothing more for that job.
/// </remarks>
internal sealed class JobWriter(
    IJobStore jobs, ITransactionStore transactions, IResultStore results, JobEventNotifier notifier, TimeProvider time, ILogger<JobWriter> logger)
{
    /// <summary>Gets the id this instance writes as the owner of the jobs it runs.</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public DateTimeOffset Now => time.GetUtcNow();

    public async Task<JobStatus> CreateAsync(long? bytesTotal, CancellationToken cancellationToken)
    {
        var now = Now;
        var day = JobIds.DayOf(now);
        var number = await jobs.ReserveJobNumberAsync(day, cancellationToken).ConfigureAwait(false);
        var job = NewJob.Open(JobIds.Format(day, number), InstanceId, now, bytesTotal);
        var created = await jobs.CreateAsync(job, cancellationToken).ConfigureAwait(false);
        notifier.Notify(created.JobId);
        PipelineLog.JobCreated(logger, created.JobId);
        return created;
    }

    /// <summary>Writes a job's new snapshot as this instance, with an event when one is given.</summary>
    /// <exception cref="JobLeaseLostException">Another instance owns the job now: nothing was written.</exception>
    /// <exception cref="InvalidOperationException">The job does not exist or has already ended: nothing was written.</exception>
    public async Task<JobStatus> UpdateAsync(JobStatus status, string? eventType, CancellationToken cancellationToken)
    {
        var result = await jobs.UpdateAsync(new JobUpdate(status, InstanceId, eventType), cancellationToken).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case JobUpdateOutcome.Updated:
                break;
            case JobUpdateOutcome.LeaseLost:
                throw new JobLeaseLostException(status.JobId, InstanceId);
            case JobUpdateOutcome.Terminal:
                throw new InvalidOperationException($"Job '{status.JobId}' has already ended; it keeps its state.");
            default:
                throw new InvalidOperationException($"Job '{status.JobId}' does not exist.");
        }

        if (eventType is not null)
        {
            notifier.Notify(status.JobId);
        }

        return status;
    }

    /// <summary>Ends a job <see cref="JobState.Failed"/> and removes its rows and results.</summary>
    /// <returns>The failed job, or the job as the store has it when another instance owns it now.</returns>
    /// <remarks>
    /// The lease is checked before anything is deleted, so a host that lost the job never removes the new owner's rows;
    /// a store that cannot delete still gets the job marked failed, and the leftover rows are logged.
    /// Cleanup runs even when the job's own token has fired: nothing of a failed job stays visible.
    /// </remarks>
    public async Task<JobStatus> FailAsync(JobStatus status, JobError error)
    {
        var now = Now;
        try
        {
            // Refresh the lease without an event: throws when another instance owns the job.
            await UpdateAsync(status with { UpdatedAt = now }, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (JobLeaseLostException ex)
        {
            return await LeaseLostAsync(status, ex).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The job ended meanwhile (completed as the cancel came in): it keeps its state, rows and results.
            if (await FindTerminalAsync(status.JobId).ConfigureAwait(false) is { } ended)
            {
                return ended;
            }

            throw;
        }

        try
        {
            await transactions.DeleteAsync(status.JobId, CancellationToken.None).ConfigureAwait(false);
            await results.DeleteAsync(status.JobId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            PipelineLog.CleanupFailed(logger, status.JobId, ex);
        }

        var failed = status with { State = JobState.Failed, Error = error, UpdatedAt = now, CompletedAt = now };
        try
        {
            await UpdateAsync(failed, JobEventTypes.Failed, CancellationToken.None).ConfigureAwait(false);
        }
        catch (JobLeaseLostException ex)
        {
            return await LeaseLostAsync(status, ex).ConfigureAwait(false);
        }

        PipelineLog.JobFailed(logger, status.JobId, error.Kind, error.Message);
        return failed;
    }

    private async Task<JobStatus?> FindTerminalAsync(string jobId) =>
        await jobs.FindAsync(jobId, CancellationToken.None).ConfigureAwait(false) is { IsTerminal: true } ended ? ended : null;

    /// <summary>Stops writing for a job another instance took over, and answers the job as the store has it.</summary>
    public async Task<JobStatus> LeaseLostAsync(JobStatus status, JobLeaseLostException exception)
    {
        PipelineLog.LeaseLost(logger, status.JobId, exception);
        try
        {
            return await jobs.FindAsync(status.JobId, CancellationToken.None).ConfigureAwait(false) ?? status;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return status;
        }
    }
}
