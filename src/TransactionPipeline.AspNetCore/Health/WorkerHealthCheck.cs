using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace TransactionPipeline.AspNetCore.Health;

/// <summary>Healthy while the worker's recovery loop goes round; unhealthy when it has not for a whole lease, or does not run.</summary>
/// <remarks>
/// A liveness check: it does not ask the store (a store outage is the store check's, and the loop goes round through
/// one, backing off). A loop that has stopped going round no longer refreshes this host's leases, so its jobs are
/// about to pass to other hosts: restarting the process is the cure.
/// </remarks>
internal sealed class WorkerHealthCheck(IPipelineWorker worker, IOptions<TransactionPipelineOptions> options, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var limit = Limit(options.Value);
        if (worker.LastRoundAt is not { } last)
        {
            return Task.FromResult(new HealthCheckResult(
                context.Registration.FailureStatus, "The pipeline worker is not running (AddHostedWorker() runs it in the host)."));
        }

        var silent = time.GetUtcNow() - last;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["last_round_at"] = last.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["limit_seconds"] = limit.TotalSeconds,
        };
        return Task.FromResult(silent <= limit
            ? HealthCheckResult.Healthy("The pipeline worker's recovery loop goes round.", data)
            : new HealthCheckResult(
                context.Registration.FailureStatus,
                $"The pipeline worker's recovery loop last went round {silent.TotalSeconds:0.#} s ago (limit {limit.TotalSeconds:0.#} s): "
                + "this host's leases lapse and its jobs pass to other hosts.",
                data: data));
    }

    /// <summary>The longest silence of a live loop: a whole lease, and never under three rounds.</summary>
    internal static TimeSpan Limit(TransactionPipelineOptions options) =>
        options.JobLeaseTimeout > options.RecoveryInterval * 3 ? options.JobLeaseTimeout : options.RecoveryInterval * 3;
}
