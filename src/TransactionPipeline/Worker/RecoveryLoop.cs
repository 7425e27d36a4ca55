using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TransactionPipeline.Worker;

/// <summary>
/// Every <see cref="TransactionPipelineOptions.RecoveryInterval"/>: writes the failures and removals the store could not
/// take before, refreshes the leases of the jobs this instance holds, stops those another instance took over, and takes
/// over the jobs whose owner went silent.
/// </summary>
/// <remarks>
/// A failing tick (the store is down) is logged and retried after a pause that doubles up to
/// <see cref="MaxBackoff"/> or a third of the lease, whichever is shorter; a failing job is logged and retried on the next tick. The loop ends only when the worker stops.
/// </remarks>
internal sealed class RecoveryLoop(
    IOptions<TransactionPipelineOptions> options,
    IJobStore jobs,
    JobWriter writer,
    ActiveJobs active,
    JobQueue queue,
    TimeProvider time,
    PipelineTelemetry telemetry,
    ILogger<RecoveryLoop> logger)
{
    /// <summary>The longest pause after failed ticks, unless the recovery interval itself is longer.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly TransactionPipelineOptions _options = options.Value;

    private long _lastRoundTicks;

    /// <summary>Gets when the loop last went round, or <see langword="null"/> before its first round.</summary>
    public DateTimeOffset? LastRoundAt => Interlocked.Read(ref _lastRoundTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    // Never pause past a third of the lease: a live host must refresh its leases before they lapse.
    public Task RunAsync(CancellationToken stoppingToken) => PeriodicLoop.RunAsync(
        "recovery",
        TickAsync,
        () => _options.RecoveryInterval,
        failures => Backoff(_options.RecoveryInterval, failures, _options.JobLeaseTimeout / 3),
        () => Interlocked.Exchange(ref _lastRoundTicks, time.GetUtcNow().UtcTicks),
        time,
        logger,
        stoppingToken);

    /// <summary>The pause after <paramref name="failures"/> failed ticks in a row: the interval, doubled per failure, capped.</summary>
    internal static TimeSpan Backoff(TimeSpan interval, int failures, TimeSpan? leaseCap = null)
    {
        var cap = interval > MaxBackoff ? interval : MaxBackoff;
        if (leaseCap is { } lease && lease < cap)
        {
            cap = lease > interval ? lease : interval;
        }

        var factor = Math.Pow(2, Math.Min(failures, 20));
        return TimeSpan.FromTicks((long)Math.Min(interval.Ticks * factor, cap.Ticks));
    }

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        var now = writer.Now;
        foreach (var job in await jobs.ListUnfinishedAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await RecoverAsync(job, now, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                PipelineLog.RecoveryFailed(logger, job.JobId, ex);
            }
        }

        // Then what the store could not take before, each on its own, after the leases are refreshed: a job failed during
        // an outage keeps its own error (recovery above leaves it alone), and a removal that fails waits for the next tick.
        if (writer.PendingCount > 0)
        {
            await writer.RetryPendingAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task RecoverAsync(JobStatus job, DateTimeOffset now, CancellationToken stoppingToken)
    {
        if (writer.HasPendingFailure(job.JobId))
        {
            // Failed here while the store was away: written by the retry above, never resumed or failed for another reason.
            return;
        }

        if (active.Contains(job.JobId))
        {
            // A refresh: the claim of one's own job always succeeds, unless another instance took it over meanwhile.
            var refresh = new JobClaim(job.JobId, writer.InstanceId, now, DateTimeOffset.MinValue);
            if (!await jobs.TryClaimAsync(refresh, stoppingToken).ConfigureAwait(false)
                && await jobs.FindAsync(job.JobId, stoppingToken).ConfigureAwait(false) is { IsTerminal: false })
            {
                // Stop this instance's run: its next write is refused, and it writes nothing more.
                await active.CancelAsync(job.JobId, "this instance, whose lease another instance took over").ConfigureAwait(false);
            }

            return;
        }

        var claim = new JobClaim(job.JobId, writer.InstanceId, now, now - _options.JobLeaseTimeout);
        if (!await jobs.TryClaimAsync(claim, stoppingToken).ConfigureAwait(false))
        {
            return;
        }

        PipelineLog.JobTakenOver(logger, job.JobId, job.Stage);
        telemetry.TakenOver();
        if (job.Stage is PipelineStage.Created or PipelineStage.Import)
        {
            // The input stream died with its process: the rows so far are not the whole data set.
            await writer.FailAsync(job, new JobError(
                JobErrorKind.Interrupted,
                $"The process stopped during import after {job.Progress.TransactionsImported} transactions "
                + $"({job.Progress.BytesRead} bytes); the partial rows were deleted. Submit the file again."))
                .ConfigureAwait(false);
            return;
        }

        // The configuration carries the job's trace context, so that the stages run here continue its trace.
        var configuration = await jobs.FindConfigurationAsync(job.JobId, stoppingToken).ConfigureAwait(false);
        active.HoldQueued(job.JobId);
        await queue.EnqueueAsync(new QueuedJob(job, configuration, null), stoppingToken).ConfigureAwait(false);
    }
}
