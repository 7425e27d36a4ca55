using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using TransactionPipeline.AspNetCore.Webhooks;

namespace TransactionPipeline.AspNetCore.Health;

/// <summary>Healthy while the webhook registrations still delivering are at most <see cref="TransactionPipelineHttpOptions.WebhookBacklogLimit"/>.</summary>
/// <remarks>Over the limit it reports its failure status (degraded by default): receivers are slower than the jobs, or down.</remarks>
internal sealed class WebhookBacklogHealthCheck(IOptions<TransactionPipelineHttpOptions> options, WebhookRegistry? registry = null) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (registry is null)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No webhooks: the HTTP adapter (AddHttpAdapter()) is not registered."));
        }

        var backlog = registry.Count;
        var limit = options.Value.WebhookBacklogLimit;
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["backlog"] = backlog, ["limit"] = limit };
        return Task.FromResult(backlog <= limit
            ? HealthCheckResult.Healthy($"{backlog} webhook registrations are delivering (limit {limit}).", data)
            : new HealthCheckResult(
                context.Registration.FailureStatus,
                $"{backlog} webhook registrations are delivering, more than the limit of {limit}: receivers are slow or away.",
                data: data));
    }
}
