using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using TransactionPipeline.AspNetCore.Uploads;

namespace TransactionPipeline.AspNetCore.Http;

internal static class JobEndpoints
{
    /// <summary>The states the list route filters by, as the API spells them.</summary>
    private static readonly JobState[] States = [JobState.Open, JobState.InProgress, JobState.JobComplete, JobState.Failed];

    public static async Task<Results<JsonHttpResult<JobListResponse>, ProblemHttpResult>> ListAsync(
        HttpRequest request, IPipeline pipeline, [FromServices] Tenants tenants, CancellationToken cancellationToken)
    {
        var query = new JobQuery { Tenant = await tenants.OfAsync(request.HttpContext).ConfigureAwait(false) };
        if (request.Query["status"].ToString() is { Length: > 0 } status)
        {
            if (!States.Any(s => WireNames.Of(s) == status))
            {
                return Problems.BadRequest("Unknown status.", $"status must be one of {string.Join(", ", States.Select(WireNames.Of))}; it was '{status}'.");
            }

            query = query with { State = States.First(s => WireNames.Of(s) == status) };
        }

        if (!TryReadTime(request, "created_after", out var since, out var invalid) || !TryReadTime(request, "created_before", out var until, out invalid))
        {
            return invalid!;
        }

        query = query with { CreatedAfter = since, CreatedBefore = until };

        if (request.Query["limit"].ToString() is { Length: > 0 } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > JobQuery.MaxLimit)
            {
                return Problems.BadRequest("Invalid limit.", $"limit must be a whole number from 1 to {JobQuery.MaxLimit}; it was '{limitText}'.");
            }

            query = query with { Limit = limit };
        }

        if (request.Query["cursor"].ToString() is { Length: > 0 } cursor)
        {
            query = query with { Cursor = cursor };
        }

        JobPage page;
        try
        {
            page = await pipeline.ListJobsAsync(query, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            return Problems.BadRequest("Invalid cursor.", $"{ex.Message} Pass the next_cursor of the page before, as it was given.");
        }

        return TypedResults.Json(
            new JobListResponse([.. page.Jobs.Select(JobStatusResponse.From)], page.NextCursor), PipelineJsonContext.Default.JobListResponse);
    }

    /// <summary>Cancels an unfinished job (<c>202</c>, on whichever host runs it), or deletes a finished one (<c>204</c>).</summary>
    public static async Task<Results<JsonHttpResult<JobStatusResponse>, NoContent, ProblemHttpResult>> DeleteAsync(
        string jobId, HttpContext context, IPipeline pipeline, CancellationToken cancellationToken)
    {
        var status = await pipeline.GetStatusAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            return Problems.NotFound(jobId);
        }

        var requestedBy = $"DELETE /api/jobs/{jobId}/ from {context.Connection.RemoteIpAddress?.ToString() ?? "an unknown address"}";
        if (!status.IsTerminal && await pipeline.CancelAsync(jobId, requestedBy, cancellationToken).ConfigureAwait(false))
        {
            return TypedResults.Json(JobStatusResponse.From(status), PipelineJsonContext.Default.JobStatusResponse, statusCode: StatusCodes.Status202Accepted);
        }

        if (context.Request.Query["cancel_only"] == "true")
        {
            // A caller that meant to stop a running job (a cancel button) never deletes one that finished meanwhile.
            var finished = await pipeline.GetStatusAsync(jobId, cancellationToken).ConfigureAwait(false) ?? status;
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The job has already finished; it was not cancelled.",
                detail: $"Job '{jobId}' is {WireNames.Of(finished.State)}. Without cancel_only=true the same request deletes it.",
                extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["job_id"] = jobId, ["job_status"] = WireNames.Of(finished.State) });
        }

        // Finished before the request, or in the meantime: the same route deletes it.
        return await pipeline.DeleteAsync(jobId, cancellationToken).ConfigureAwait(false) switch
        {
            JobDeletion.Deleted => TypedResults.NoContent(),
            JobDeletion.NotFound => Problems.NotFound(jobId),
            _ => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The job could be neither cancelled nor deleted.",
                detail: $"Job '{jobId}' is {WireNames.Of(status.State)} and did not accept the cancellation; ask again in a moment.",
                extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["job_id"] = jobId, ["job_status"] = WireNames.Of(status.State) }),
        };
    }

    public static async Task<Results<JsonHttpResult<JobStatusResponse>, ProblemHttpResult>> GetStatusAsync(
        string jobId, IPipeline pipeline, [FromServices] UploadRegistry uploads, CancellationToken cancellationToken)
    {
        var status = await pipeline.GetStatusAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (status is null)
        {
            return Problems.NotFound(jobId);
        }

        var response = JobStatusResponse.From(status);
        if (!status.IsTerminal && uploads.FindByJob(jobId) is { ImportEnded: false } upload)
        {
            // Between PATCHes the import waits for bytes: say so, with what has arrived.
            var state = upload.IsComplete ? "complete" : upload.IsClosing ? "closing" : upload.IsReceiving ? "receiving" : "waiting";
            response = response with
            {
                Upload = new UploadStateResponse(state, upload.Offset, upload.Length, upload.IsComplete || upload.IsClosing ? null : upload.ExpiresAt),
            };
        }

        return TypedResults.Json(response, PipelineJsonContext.Default.JobStatusResponse);
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

    private static bool TryReadTime(HttpRequest request, string name, out DateTimeOffset? time, out ProblemHttpResult? invalid)
    {
        (time, invalid) = (null, null);
        if (request.Query[name].ToString() is not { Length: > 0 } text)
        {
            return true;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            invalid = Problems.BadRequest($"Invalid {name}.", $"{name} must be an ISO 8601 time such as 2024-12-01T00:00:00Z; it was '{text}'.");
            return false;
        }

        time = parsed;
        return true;
    }
}
