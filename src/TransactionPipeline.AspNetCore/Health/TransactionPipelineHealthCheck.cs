using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TransactionPipeline.AspNetCore.Health;

/// <summary>Healthy while the job store answers; unhealthy, with the store's error, while it does not.</summary>
/// <remarks>
/// The pipeline itself keeps running through a store outage (its loops retry, and failures the store could not take
/// are written when it answers): this check is what tells a load balancer or an orchestrator meanwhile.
/// </remarks>
internal sealed class TransactionPipelineHealthCheck(IJobStore jobs, IEnumerable<IStoreErrorClassifier> classifiers) : IHealthCheck
{
    /// <summary>An id no job ever has: the check reads one row that is not there.</summary>
    private const string Probe = "pipeline_00010101_000";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await jobs.FindAsync(Probe, timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy("The job store answers.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The job store did not answer within {Timeout.TotalSeconds:0} s.");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var kind = classifiers.Select(c => c.Classify(ex) ?? (ex.InnerException is { } inner ? c.Classify(inner) : null)).FirstOrDefault(k => k is not null);
            var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["error_kind"] = kind is { } known ? known.ToString() : ex.GetType().Name };
            return new HealthCheckResult(context.Registration.FailureStatus, $"The job store does not answer: {ex.Message}", ex, data);
        }
    }
}
