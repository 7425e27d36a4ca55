using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TransactionPipeline.Worker;

/// <summary>Runs <see cref="TransactionPipelineOptions.MaxConcurrentJobs"/> queue runners and the recovery loop until stopped.</summary>
/// <remarks>
/// A runner survives any job: an exception that escapes a job's run (its store failed even on the failure path) is logged,
/// and recovery claims the job again on a later tick. Only the stopping token ends a runner.
/// </remarks>
internal sealed class JobWorker(
    IOptions<TransactionPipelineOptions> options,
    JobQueue queue,
    StageRunner stages,
    RecoveryLoop recovery,
    RetentionSweeper retention,
    HostStopping hostStopping,
    IJobStore jobs,
    JobWriter writer,
    ActiveJobs active,
    TimeProvider time,
    ILogger<JobWorker> logger) : IPipelineWorker
{
    private long _startedTicks;

    public DateTimeOffset? LastRoundAt
    {
        get
        {
            var started = Interlocked.Read(ref _startedTicks);
            if (started == 0)
            {
                return null;
            }

            // A round of an earlier run of the worker does not count for this one.
            return recovery.LastRoundAt is { } round && round.UtcTicks >= started ? round : new DateTimeOffset(started, TimeSpan.Zero);
        }
    }

    public async Task ProcessJobsAsync(CancellationToken stoppingToken)
    {
        Interlocked.Exchange(ref _startedTicks, time.GetUtcNow().UtcTicks);
        hostStopping.Attach(stoppingToken);
        var loops = Enumerable.Range(0, options.Value.MaxConcurrentJobs).Select(_ => RunQueueAsync(stoppingToken)).ToList();
        loops.Add(recovery.RunAsync(stoppingToken));
        loops.Add(WatchCancellationsAsync(stoppingToken));
        loops.Add(retention.RunAsync(stoppingToken));
        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: jobs that were running stay resumable by the next instance.
        }
        finally
        {
            Interlocked.Exchange(ref _startedTicks, 0);
        }
    }

    /// <summary>Acts on the cancellation requests other instances left in the store for the jobs this one holds.</summary>
    private Task WatchCancellationsAsync(CancellationToken stoppingToken) => PeriodicLoop.RunAsync(
        "cancellation watch",
        async cancellationToken =>
        {
            // Only an instance that holds jobs has anything to cancel: an idle one asks the store nothing.
            var requests = active.Count == 0 ? [] : await jobs.ListCancellationRequestsAsync(writer.InstanceId, cancellationToken).ConfigureAwait(false);
            foreach (var request in requests)
            {
                await active.CancelAsync(request.JobId, request.RequestedBy).ConfigureAwait(false);
            }
        },
        () => options.Value.EventPollInterval,
        failures => RecoveryLoop.Backoff(options.Value.EventPollInterval, failures),
        afterRound: null,
        time,
        logger,
        stoppingToken);

    private async Task RunQueueAsync(CancellationToken stoppingToken)
    {
        await foreach (var job in queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                // Only a job whose rows are stored can be resumed by the next owner; an aggregate-only one fails as cancelled.
                await stages.RunAsync(job, stoppingToken, resumeWhenStopped: options.Value.StoreTransactions).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // The stage runner released the job already; releasing again could drop a copy recovery has re-queued.
                PipelineLog.JobRunFailed(logger, job.Status.JobId, ex);
            }
        }
    }
}
