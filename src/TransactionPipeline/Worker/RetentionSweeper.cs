using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TransactionPipeline.Jobs;

namespace TransactionPipeline.Worker;

/// <summary>Applies <see cref="TransactionPipelineOptions.Retention"/>: removes old raw rows, old finished jobs and expired idempotency keys.</summary>
/// <remarks>
/// Runs in the worker of every host, but sweeps on one at a time: a round first takes (or renews) the store's
/// <see cref="LeaseName"/> lease for two sweep intervals, and a host that does not get it does nothing that round.
/// Only finished jobs are touched, through <see cref="JobEraser"/>, in the order that never shows a reader something
/// partial; removing a job's rows is a file removal or a table drop, so it never waits on another job's import.
/// </remarks>
internal sealed class RetentionSweeper(
    IOptions<TransactionPipelineOptions> options,
    IJobStore jobs,
    ITransactionStore transactions,
    IEnumerable<IIdempotencyStore> idempotencyStores,
    JobEraser eraser,
    JobWriter writer,
    TimeProvider time,
    ILogger<RetentionSweeper> logger)
{
    public const string LeaseName = "retention-sweep";

    private const int PageSize = 100;

    /// <summary>Sweeps every <see cref="RetentionOptions.SweepInterval"/> until stopped; a failed round is logged and retried with backoff.</summary>
    public Task RunAsync(CancellationToken stoppingToken) => PeriodicLoop.RunAsync(
        "retention sweep",
        SweepAsync,
        () => options.Value.Retention.SweepInterval,
        failures => RecoveryLoop.Backoff(options.Value.Retention.SweepInterval, failures),
        afterRound: null,
        time,
        logger,
        stoppingToken);

    /// <summary>Runs one round.</summary>
    /// <returns>What was removed, or <see langword="null"/> when another host holds the sweep this round.</returns>
    public async Task<RetentionSweep?> SweepAsync(CancellationToken cancellationToken)
    {
        var retention = options.Value.Retention;
        var now = time.GetUtcNow();
        if (!await jobs.TryAcquireLeaseAsync(LeaseName, writer.InstanceId, now, retention.SweepInterval * 2, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var rows = await RemoveRowsAsync(now - retention.CompletedJobRows, cancellationToken).ConfigureAwait(false);
        var completed = retention.CompletedJobs is { } keepCompleted
            ? await RemoveJobsAsync(JobState.JobComplete, now - keepCompleted, cancellationToken).ConfigureAwait(false)
            : 0;
        var failed = retention.FailedJobs is { } keepFailed
            ? await RemoveJobsAsync(JobState.Failed, now - keepFailed, cancellationToken).ConfigureAwait(false)
            : 0;
        var keys = 0;
        foreach (var store in idempotencyStores)
        {
            keys += await store.RemoveExpiredAsync(now - retention.IdempotencyKeys, cancellationToken).ConfigureAwait(false);
        }

        var sweep = new RetentionSweep(rows, completed, failed, keys);
        if (sweep.Removed)
        {
            PipelineLog.RetentionSwept(logger, rows, completed, failed, keys);
        }

        return sweep;
    }

    /// <summary>Removes the rows of completed jobs finished before <paramref name="cutoff"/>, and rows no finished job should have.</summary>
    private async Task<int> RemoveRowsAsync(DateTimeOffset? cutoff, CancellationToken cancellationToken)
    {
        var removed = 0;
        foreach (var jobId in await transactions.ListStoredJobsAsync(cancellationToken).ConfigureAwait(false))
        {
            // A job's rows are written after the job exists, so rows without a job are a deleted job's leftovers; a
            // failed job's rows are removed as it fails, and these are what a fault on that path left.
            var status = await jobs.FindAsync(jobId, cancellationToken).ConfigureAwait(false);
            var expired = status switch
            {
                null => true,
                { State: JobState.Failed } => true,
                { State: JobState.JobComplete } => cutoff is { } before && FinishedAt(status) <= before,
                _ => false,
            };
            if (expired)
            {
                await eraser.DeleteRowsAsync(jobId, cancellationToken).ConfigureAwait(false);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Deletes the jobs in <paramref name="state"/> that finished before <paramref name="cutoff"/>.</summary>
    private async Task<int> RemoveJobsAsync(JobState state, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        // A job finishes after it is created, so every job to remove was created before the cutoff: the list walks
        // those only, oldest pages last, and what it deletes behind the cursor does not move it.
        var removed = 0;
        var query = new JobQuery { State = state, CreatedBefore = cutoff, Limit = PageSize };
        while (true)
        {
            var page = await jobs.ListAsync(query, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var job in page)
            {
                if (FinishedAt(job) <= cutoff
                    && await eraser.DeleteAsync(job.JobId, "retention", cancellationToken).ConfigureAwait(false) == JobDeletion.Deleted)
                {
                    removed++;
                }
            }

            if (page.Count < PageSize)
            {
                return removed;
            }

            query = query with { Cursor = JobQuery.CursorAfter(page[^1]) };
        }
    }

    private static DateTimeOffset FinishedAt(JobStatus status) => status.CompletedAt ?? status.UpdatedAt;
}

/// <summary>What one retention round removed.</summary>
/// <param name="RowSets">Jobs whose raw rows were removed.</param>
/// <param name="CompletedJobs">Completed jobs deleted.</param>
/// <param name="FailedJobs">Failed jobs deleted.</param>
/// <param name="IdempotencyKeys">Expired idempotency keys removed.</param>
internal readonly record struct RetentionSweep(int RowSets, int CompletedJobs, int FailedJobs, int IdempotencyKeys)
{
    public bool Removed => RowSets + CompletedJobs + FailedJobs + IdempotencyKeys > 0;
}
