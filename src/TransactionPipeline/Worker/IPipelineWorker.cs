namespace TransactionPipeline;

/// <summary>The pipeline's background work: runs queued jobs, keeps this instance's leases and takes over jobs of dead hosts.</summary>
/// <remarks>
/// The hosting package runs it in a hosted service (<c>AddHostedWorker()</c>); call it yourself only without one.
/// Every loop it runs survives a failing store: a fault of one tick or one job is logged and retried after a pause.
/// </remarks>
public interface IPipelineWorker
{
    /// <summary>Runs queued jobs and takes over interrupted ones until <paramref name="stoppingToken"/> fires.</summary>
    /// <param name="stoppingToken">Stops the worker; jobs it was running stay resumable.</param>
    /// <returns>A task that completes when the worker has stopped.</returns>
    Task ProcessJobsAsync(CancellationToken stoppingToken);

    /// <summary>
    /// Gets when the worker's recovery loop last went round (a tick done, or failed and backed off), the time
    /// <see cref="ProcessJobsAsync"/> started before its first round, or <see langword="null"/> while it is not running.
    /// </summary>
    /// <remarks>A liveness check compares it with the clock: a loop that stops going round stops refreshing its leases.</remarks>
    DateTimeOffset? LastRoundAt { get; }
}
