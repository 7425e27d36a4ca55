using Microsoft.Extensions.Diagnostics.HealthChecks;
using TransactionPipeline.AspNetCore.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the transaction pipeline's health checks to <see cref="IHealthChecksBuilder"/>.</summary>
public static class TransactionPipelineHealthChecksBuilderExtensions
{
    /// <summary>The tag of the checks that say whether the process should be restarted: the worker's loop goes round.</summary>
    public const string LiveTag = "live";

    /// <summary>The tag of the checks that say whether the host should get traffic: the store answers, the webhook backlog is below its limit.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// Adds three checks: <paramref name="name"/> (the job store answers; tag <see cref="ReadyTag"/>),
    /// <paramref name="name"/><c>_worker</c> (the worker's recovery loop went round within a lease; tag <see cref="LiveTag"/>)
    /// and <paramref name="name"/><c>_webhooks</c> (the registrations still delivering are at most
    /// <see cref="TransactionPipeline.TransactionPipelineHttpOptions.WebhookBacklogLimit"/>; tag <see cref="ReadyTag"/>,
    /// <see cref="HealthStatus.Degraded"/> over the limit).
    /// </summary>
    /// <param name="builder">The health checks builder, from <c>services.AddHealthChecks()</c>.</param>
    /// <param name="name">The store check's name, and the prefix of the others.</param>
    /// <param name="failureStatus">What the store and worker checks report when they fail; <see cref="HealthStatus.Unhealthy"/> when <see langword="null"/>.</param>
    /// <param name="tags">Tags added to all three (each also has its own <see cref="LiveTag"/> or <see cref="ReadyTag"/>).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// Map all of them with <c>app.MapHealthChecks("/healthz")</c>, or liveness and readiness apart with a predicate on
    /// the tags, for example <c>app.MapHealthChecks("/healthz/live", new() { Predicate = c =&gt; c.Tags.Contains("live") })</c>.
    /// A host whose store is down starts all the same and reports it here.
    /// </remarks>
    public static IHealthChecksBuilder AddTransactionPipeline(
        this IHealthChecksBuilder builder, string name = "transaction_pipeline", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var common = tags?.ToList() ?? [];
        return builder
            .AddCheck<TransactionPipelineHealthCheck>(name, failureStatus, [.. common, ReadyTag])
            .AddCheck<WorkerHealthCheck>($"{name}_worker", failureStatus, [.. common, LiveTag])
            .AddCheck<WebhookBacklogHealthCheck>($"{name}_webhooks", HealthStatus.Degraded, [.. common, ReadyTag]);
    }
}
