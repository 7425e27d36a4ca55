using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace TransactionPipeline.AspNetCore.Dashboard;

/// <summary>
/// A completed job's daily totals with each day's credit score: the data of the job page's chart, which the pipeline's
/// HTTP API does not answer (its offers carry scores but not the totals).
/// </summary>
internal static class DailyTotalsEndpoint
{
    public static async Task<Results<JsonHttpResult<DailyTotalsResponse>, ProblemHttpResult>> GetAsync(
        string jobId, HttpContext context, IPipeline pipeline, [FromServices] IEnumerable<IJobTenantProvider> tenants, CancellationToken cancellationToken)
    {
        var lookup = await pipeline.FindResultAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (lookup.Status is not { } status || !await SeesAsync(tenants, context, status).ConfigureAwait(false))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Job not found.", detail: $"Job '{jobId}' was not found.");
        }

        if (lookup.Result is not { } result)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The job has no results.",
                detail: $"Job '{jobId}' has daily totals once it is JOB_COMPLETE.");
        }

        var scores = result.Assessments.ToDictionary(a => a.Date);
        DayTotals[] days = [.. result.Aggregates.Select(a => new DayTotals(
            a.Date,
            a.TotalAmount,
            a.RevenueAmount,
            a.TransactionCount,
            scores.TryGetValue(a.Date, out var score) ? score.CreditScore : null,
            scores.TryGetValue(a.Date, out score) ? score.RiskLevel.ToString().ToUpperInvariant() : null))];
        return TypedResults.Json(new DailyTotalsResponse(result.JobId, days), DashboardJsonContext.Default.DailyTotalsResponse);
    }

    /// <summary>
    /// The HTTP API's tenant rule, which every other route the dashboard calls applies itself: without a provider every
    /// job is visible; with one, only the jobs of the caller's tenant, a caller without a key being the tenant "".
    /// </summary>
    private static async ValueTask<bool> SeesAsync(IEnumerable<IJobTenantProvider> tenants, HttpContext context, JobStatus job)
    {
        if (tenants.LastOrDefault() is not { } provider)
        {
            return true;
        }

        var tenant = await provider.GetTenantAsync(context).ConfigureAwait(false) ?? string.Empty;
        return string.Equals(job.Tenant, tenant, StringComparison.Ordinal);
    }
}

internal sealed record DailyTotalsResponse(
    [property: JsonPropertyName("job_id")] string JobId,
    [property: JsonPropertyName("days")] IReadOnlyList<DayTotals> Days);

internal sealed record DayTotals(
    [property: JsonPropertyName("date")] DateOnly Date,
    [property: JsonPropertyName("total_amount")] decimal TotalAmount,
    [property: JsonPropertyName("revenue_amount")] decimal RevenueAmount,
    [property: JsonPropertyName("transaction_count")] long TransactionCount,
    [property: JsonPropertyName("credit_score")] int? CreditScore,
    [property: JsonPropertyName("risk_level")] string? RiskLevel);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(DailyTotalsResponse))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext
{
}
