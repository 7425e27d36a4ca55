using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace TransactionPipeline.AspNetCore.Http;

internal static class JobEndpoints
{
    public static async Task<Results<JsonHttpResult<JobStatusResponse>, ProblemHttpResult>> GetStatusAsync(
        string jobId, IPipeline pipeline, CancellationToken cancellationToken)
    {
        var status = await pipeline.GetStatusAsync(jobId, cancellationToken).ConfigureAwait(false);
        return status is null ? Problems.NotFound(jobId) : TypedResults.Json(JobStatusResponse.From(status), PipelineJsonContext.Default.JobStatusResponse);
    }

    public static async Task<Results<JsonHttpResult<OffersResponse>, ProblemHttpResult>> GetOffersAsync(
        string jobId, IPipeline pipeline, CancellationToken cancellationToken)
    {
        var status = await pipeline.GetStatusAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            return Problems.NotFound(jobId);
        }

        if (status.State != JobState.JobComplete)
        {
            return Problems.NotComplete(status);
        }

        var result = await pipeline.GetResultAsync(jobId, cancellationToken).ConfigureAwait(false);
        return result is null ? Problems.NotComplete(status) : TypedResults.Json(OffersResponse.From(result), PipelineJsonContext.Default.OffersResponse);
    }

    public static async Task<Results<JobEventStreamResult, ProblemHttpResult>> GetEventsAsync(
        string jobId,
        HttpRequest request,
        IPipeline pipeline,
        IOptions<TransactionPipelineHttpOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var status = await pipeline.GetStatusAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            return Problems.NotFound(jobId);
        }

        var lastEventId = request.Headers["Last-Event-ID"].ToString();
        if (string.IsNullOrEmpty(lastEventId))
        {
            lastEventId = request.Query["last_event_id"].ToString();
        }

        long afterSequence = 0;
        if (lastEventId.Length > 0 && (!long.TryParse(lastEventId, out afterSequence) || afterSequence < 0))
        {
            return Problems.BadRequest("Invalid Last-Event-ID.", $"'{lastEventId}' is not an event id of this stream; ids are sequence numbers.");
        }

        return new JobEventStreamResult(pipeline, jobId, afterSequence, options.Value.EventStreamHeartbeat, time);
    }
}
