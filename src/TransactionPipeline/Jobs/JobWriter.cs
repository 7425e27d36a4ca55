using System.Collections.Concurrent;
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
    IJobStore jobs,
    ITransactionStore transactions,
    IResultStore results,
    JobEventNotifier notifier,
    PipelineTelemetry telemetry,
    TimeProvider time,
    ILogger<JobWriter> logger)
{
    /// <summary>Gets the id this instance writes as the owner of the jobs it runs.</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    private readonly ConcurrentDictionary<string, PendingFailure> _pendingFailures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _pendingCleanups = new(StringComparer.Ordinal);

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Reserves the next number of today and makes the job the store will keep: the caller holds its id before it exists.</summary>
    public async Task<NewJob> PrepareAsync(long? bytesTotal, string? tenant, CancellationToken cancellationToken)
    {
        var now = Now;
        var day = JobIds.DayOf(now);
        var number = await jobs.ReserveJobNumberAsync(day, cancellationToken).ConfigureAwait(false);
        return NewJob.Open(JobIds.Format(day, number), InstanceId, now, bytesTotal, tenant);
    }

    /// <summary>Stores a job made by <see cref="PrepareAsync"/> with its first event.</summary>
    public async Task<JobStatus> CreateAsync(NewJob job, CancellationToken cancellationToken)
    {
        var created = await jobs.CreateAsync(job, cancellationToken).ConfigureAwait(false);
        telemetry.JobStarted();
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

    /// <summary>Ends a job <see cref="JobState.Failed"/> with <paramref name="error"/>, then removes its rows and results.</summary>
    /// <returns>The failed job, or the job as the store has it when it had ended or another instance owns it now.</returns>
    /// <remarks>
    /// <para>
    /// The job is marked first: the mark is the one write that must happen, and the store checks the lease with it, so
    /// a host that lost the job never marks or deletes anything of the new owner's. Once marked, nothing of the job is
    /// visible as a result, and the rows are removed after; a removal that fails is retried on every recovery tick
    /// (<see cref="RetryPendingAsync"/>) until it succeeds.
    /// </para>
    /// <para>
    /// When the store cannot take the mark (it is down, or full), the failure is kept in this process and written by the
    /// next recovery tick that finds the store answering, with its own error, before any other recovery of the job; the
    /// failed job is returned all the same, so the caller learns its id and its error at once. Another host fails the
    /// job as interrupted once the lease lapses, should this process die first.
    /// </para>
    /// </remarks>
    public async Task<JobStatus> FailAsync(JobStatus status, JobError error)
    {
        var now = Now;
        // PostgreSQL refuses NUL in text, and a message quoting a plug-in's exception may hold one.
        error = error with { Message = error.Message.Replace('\0', '\uFFFD') };
        var failed = status with { State = JobState.Failed, Error = error, UpdatedAt = now, CompletedAt = now };
        JobUpdateResult written;
        try
        {
            written = await jobs.UpdateAsync(new JobUpdate(failed, InstanceId, JobEventTypes.Failed), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The job is failed for this host; the store learns it from the next recovery tick that reaches it.
            _pendingFailures[status.JobId] = new PendingFailure(failed, 0);
            telemetry.JobFailed(error.Kind);
            PipelineLog.FailurePending(logger, status.JobId, error.Kind, ex);
            return failed;
        }

        switch (written.Outcome)
        {
            case JobUpdateOutcome.LeaseLost:
                return await LeaseLostAsync(status, new JobLeaseLostException(status.JobId, InstanceId)).ConfigureAwait(false);
            case JobUpdateOutcome.Terminal:
                // The job ended meanwhile (completed as the cancel came in): it keeps its state, rows and results.
                return await FindOrAsync(status).ConfigureAwait(false);
            case JobUpdateOutcome.NotFound:
                throw new InvalidOperationException($"Job '{status.JobId}' does not exist.");
        }

        notifier.Notify(status.JobId);
        telemetry.JobFailed(error.Kind);
        PipelineLog.JobFailed(logger, status.JobId, error.Kind, error.ItemIndex, error.ByteOffset, error.Message);
        await CleanUpAsync(status.JobId).ConfigureAwait(false);
        return failed;
    }

    /// <summary>Gets the failures and removals this instance still owes the store because it was unavailable.</summary>
    public int PendingCount => _pendingFailures.Count + _pendingCleanups.Count;

    /// <summary>Returns whether this instance holds a failure of <paramref name="jobId"/> that the store has not taken yet.</summary>
    public bool HasPendingFailure(string jobId) => _pendingFailures.ContainsKey(jobId);

    /// <summary>Writes the failures and removals the store could not take before, each on its own: one that still fails waits for the next tick.</summary>
    /// <remarks>
    /// A failure the store refuses <see cref="MaxPendingAttempts"/> times is given up, so recovery treats the job as any
    /// other unfinished one (another host fails it as interrupted once the lease lapses); a job is never stuck behind it.
    /// </remarks>
    public async Task RetryPendingAsync(CancellationToken cancellationToken)
    {
        foreach (var (jobId, pending) in _pendingFailures)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var failed = pending.Failed;
            try
            {
                var written = await jobs.UpdateAsync(new JobUpdate(failed with { UpdatedAt = Now }, InstanceId, JobEventTypes.Failed), cancellationToken)
                    .ConfigureAwait(false);
                _pendingFailures.TryRemove(new KeyValuePair<string, PendingFailure>(jobId, pending));
                if (written.Outcome == JobUpdateOutcome.Updated
                    || (written.Outcome == JobUpdateOutcome.Terminal
                        && await jobs.FindAsync(jobId, cancellationToken).ConfigureAwait(false) is { State: JobState.Failed } stored && stored.Error == failed.Error))
                {
                    // Written now, or by the earlier attempt whose answer was lost: either way the rows go.
                    notifier.Notify(jobId);
                    PipelineLog.JobFailed(logger, jobId, failed.Error!.Kind, failed.Error.ItemIndex, failed.Error.ByteOffset, failed.Error.Message);
                    await CleanUpAsync(jobId).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (pending.Attempts + 1 >= MaxPendingAttempts)
                {
                    _pendingFailures.TryRemove(new KeyValuePair<string, PendingFailure>(jobId, pending));
                    PipelineLog.FailureGivenUp(logger, jobId, pending.Attempts + 1, ex);
                }
                else
                {
                    _pendingFailures.TryUpdate(jobId, pending with { Attempts = pending.Attempts + 1 }, pending);
                    PipelineLog.FailurePending(logger, jobId, failed.Error!.Kind, ex);
                }
            }
        }

        foreach (var jobId in _pendingCleanups.Keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await CleanUpAsync(jobId).ConfigureAwait(false);
        }
    }

    /// <summary>How many recovery ticks a failure the store refuses is retried before it is given up.</summary>
    public const int MaxPendingAttempts = 100;

    private async Task<JobStatus> FindOrAsync(JobStatus status)
    {
        try
        {
            return await jobs.FindAsync(status.JobId, CancellationToken.None).ConfigureAwait(false) ?? status;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return status;
        }
    }

    private async Task CleanUpAsync(string jobId)
    {
        try
        {
            await DeleteRowsAndResultsAsync(jobId).ConfigureAwait(false);
            _pendingCleanups.TryRemove(jobId, out _);
        }
        catch (Exception ex)
        {
            _pendingCleanups[jobId] = 0;
            PipelineLog.CleanupFailed(logger, jobId, ex);
        }
    }

    private async Task DeleteRowsAndResultsAsync(string jobId)
    {
        // Not the job's token: even a cancelled job's rows must go.
        await transactions.DeleteAsync(jobId, CancellationToken.None).ConfigureAwait(false);
        await results.DeleteAsync(jobId, CancellationToken.None).ConfigureAwait(false);
    }

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

    /// <summary>A failure the store has not taken yet, and how many retries it refused.</summary>
    private sealed record PendingFailure(JobStatus Failed, int Attempts);
}
