using Microsoft.Extensions.Logging;

namespace TransactionPipeline.Jobs;

/// <summary>Removes finished jobs, whole or their raw rows only: for <see cref="IPipeline.DeleteAsync"/> and for retention.</summary>
/// <remarks>
/// A job goes in the order that never shows a reader something partial: its raw rows, its webhook subscriptions and its
/// results first, the job with its events last, in one transaction of its own. A delete interrupted on the way leaves a
/// finished job that reads as failed or without results for a moment, and asking again (or the next retention sweep)
/// removes the rest.
/// </remarks>
internal sealed class JobEraser(
    IJobStore jobs,
    ITransactionStore transactions,
    IResultStore results,
    IEnumerable<IWebhookStore> webhooks,
    ILogger<JobEraser> logger)
{
    /// <summary>Deletes a finished job with its rows, results, events and webhook subscriptions.</summary>
    public async Task<JobDeletion> DeleteAsync(string jobId, string reason, CancellationToken cancellationToken)
    {
        var status = await jobs.FindAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            return JobDeletion.NotFound;
        }

        if (!status.IsTerminal)
        {
            return JobDeletion.NotFinished;
        }

        await transactions.DeleteAsync(jobId, cancellationToken).ConfigureAwait(false);
        foreach (var store in webhooks)
        {
            await store.DeleteForJobAsync(jobId, cancellationToken).ConfigureAwait(false);
        }

        await results.DeleteAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (!await jobs.DeleteAsync(jobId, cancellationToken).ConfigureAwait(false))
        {
            // Deleted by another caller in the meantime: the job is gone either way.
            return JobDeletion.NotFound;
        }

        PipelineLog.JobDeleted(logger, jobId, status.State, reason);
        return JobDeletion.Deleted;
    }

    /// <summary>Deletes a finished job's raw rows only; its status, events and results stay readable.</summary>
    public async Task DeleteRowsAsync(string jobId, CancellationToken cancellationToken) =>
        await transactions.DeleteAsync(jobId, cancellationToken).ConfigureAwait(false);
}
