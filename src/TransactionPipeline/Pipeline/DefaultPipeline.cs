using Microsoft.Extensions.DependencyInjection;

namespace TransactionPipeline.Pipeline;

/// <summary>The facade behind <see cref="IPipeline"/>: creates and imports jobs, runs or queues their stages, and answers for them.</summary>
/// <remarks>
/// The work is done by one unit per step: the import by <see cref="JobImporter"/>, the later stages by
/// <see cref="StageRunner"/>, every write to a job by <see cref="JobWriter"/>, event streams by <see cref="JobEventWatcher"/>,
/// and the background work by <see cref="JobWorker"/>.
/// </remarks>
internal sealed class DefaultPipeline(
    IJobStore jobs,
    IResultStore results,
    JobImporter importer,
    JobEventWatcher watcher,
    ActiveJobs active,
    JobQueue queue,
    StageRunner stages,
    JobEraser eraser) : IPipeline
{
    /// <summary>Creates the pipeline, or says which call is missing when no store was registered.</summary>
    public static DefaultPipeline Create(IServiceProvider services)
    {
        EnsureStore(services);
        return ActivatorUtilities.CreateInstance<DefaultPipeline>(services);
    }

    /// <summary>Throws when no store was registered, naming the calls that register one.</summary>
    public static void EnsureStore(IServiceProvider services)
    {
        if (services.GetService<IJobStore>() is null || services.GetService<ITransactionStore>() is null || services.GetService<IResultStore>() is null)
        {
            throw new InvalidOperationException(
                "The transaction pipeline has no store. Call UseSqlite(\"Data Source=jobs.db\") or UsePostgreSql(connectionString) "
                + "on the builder that AddTransactionPipeline() returns (or UseInMemoryStorage() from TransactionPipeline.Testing in tests).");
        }
    }

    public async Task<JobStatus> RunAsync(PipelineInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var span = PipelineTelemetry.Source.StartActivity("transaction_pipeline.job");
        var (status, imported) = await importer.ImportAsync(input, cancellationToken).ConfigureAwait(false);
        span?.SetTag("transaction_pipeline.job.id", status.JobId);
        var ended = imported is null ? status : await stages.RunAsync(imported, cancellationToken).ConfigureAwait(false);
        if (ended.Error is { } error)
        {
            PipelineTelemetry.Failed(span, error);
        }

        return ended;
    }

    public async Task<JobStatus> SubmitAsync(PipelineInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        // The job's span covers its import; the worker's span of its later stages links to it.
        using var span = PipelineTelemetry.Source.StartActivity("transaction_pipeline.job");
        var (status, imported) = await importer.ImportAsync(input, cancellationToken).ConfigureAwait(false);
        span?.SetTag("transaction_pipeline.job.id", status.JobId);
        if (status.Error is { } error)
        {
            PipelineTelemetry.Failed(span, error);
        }

        if (imported is not null)
        {
            // The job stays in active while queued, so the lease keeps being refreshed and recovery leaves it alone.
            active.HoldQueued(status.JobId);
            await queue.EnqueueAsync(imported, CancellationToken.None).ConfigureAwait(false);
        }

        return status;
    }

    public async Task<JobStatus?> GetStatusAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return await jobs.FindAsync(jobId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<JobResult?> GetResultAsync(string jobId, CancellationToken cancellationToken) =>
        (await FindResultAsync(jobId, cancellationToken).ConfigureAwait(false)).Result;

    public async Task<JobResultLookup> FindResultAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var status = await jobs.FindAsync(jobId, cancellationToken).ConfigureAwait(false);
        return status?.State switch
        {
            null => new JobResultLookup(JobResultState.UnknownJob, null, null),
            JobState.Failed => new JobResultLookup(JobResultState.Failed, status, null),
            JobState.JobComplete => new JobResultLookup(
                JobResultState.Complete, status, await results.FindAsync(jobId, cancellationToken).ConfigureAwait(false)),
            _ => new JobResultLookup(JobResultState.NotComplete, status, null),
        };
    }

    public async Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, JobQuery.MaxLimit, nameof(query));
        _ = query.TryGetPosition(out _, out _);
        var found = await jobs.ListAsync(query, query.Limit + 1, cancellationToken).ConfigureAwait(false);
        return found.Count > query.Limit
            ? new JobPage([.. found.Take(query.Limit)], JobQuery.CursorAfter(found[query.Limit - 1]))
            : new JobPage(found, null);
    }

    public IAsyncEnumerable<JobEvent> WatchAsync(string jobId, long afterSequence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return watcher.WatchAsync(jobId, afterSequence, cancellationToken);
    }

    public async Task<JobStatus> WaitForCompletionAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        await foreach (var jobEvent in WatchAsync(jobId, 0, cancellationToken).ConfigureAwait(false))
        {
            if (JobEventTypes.IsTerminal(jobEvent.EventType))
            {
                break;
            }
        }

        var status = await jobs.FindAsync(jobId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Job '{jobId}' was not found.");
        return status;
    }

    public async Task<bool> CancelAsync(string jobId, string? requestedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        requestedBy ??= "IPipeline.CancelAsync";
        if (await active.CancelAsync(jobId, requestedBy).ConfigureAwait(false))
        {
            return true;
        }

        // Held elsewhere (or by nobody yet): the owner's worker acts on the request it finds in the store.
        return await jobs.RequestCancellationAsync(jobId, requestedBy, cancellationToken).ConfigureAwait(false) == JobUpdateOutcome.Updated;
    }

    public Task<JobDeletion> DeleteAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return eraser.DeleteAsync(jobId, "IPipeline.DeleteAsync", cancellationToken);
    }
}
