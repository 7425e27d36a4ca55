using Microsoft.Extensions.Diagnostics.HealthChecks;
using TransactionPipeline.AspNetCore.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the transaction pipeline's health check to <see cref="IHealthChecksBuilder"/>.</summary>
public static class TransactionPipelineHealthChecksBuilderExtensions
{
    /// <summary>Adds a check that the pipeline's job store answers.</summary>
    /// <param name="builder">The health checks builder, from <c>services.AddHealthChecks()</c>.</param>
    /// <param name="name">The check's name in reports.</param>
    /// <param name="failureStatus">What a store that does not answer reports; <see cref="HealthStatus.Unhealthy"/> when <see langword="null"/>.</param>
    /// <param name="tags">Tags to filter checks by (for example <c>ready</c>).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>Map it with <c>app.MapHealthChecks("/healthz")</c>; a host whose store is down starts all the same and reports it here.</remarks>
    public static IHealthChecksBuilder AddTransactionPipeline(
        this IHealthChecksBuilder builder, string name = "transaction_pipeline", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<TransactionPipelineHealthCheck>(name, failureStatus, tags ?? []);
    }
}
