using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;

namespace TransactionPipeline.AspNetCore.Http;

internal static class SubmitEndpoint
{
    // The aggregate, credit model and offer stages work on per-date totals the import already built, so they cost a
    // fraction of the import. The estimate spans that fraction of the import's measured duration.
    private const double RemainingWorkLow = 0.05;
    private const double RemainingWorkHigh = 0.5;

    public static async Task<Results<JsonHttpResult<SubmitResponse>, ProblemHttpResult>> SubmitAsync(
        HttpContext context,
        IPipeline pipeline,
        IOptions<TransactionPipelineHttpOptions> options,
        IOptions<TransactionPipelineOptions> pipelineOptions,
        TimeProvider time,
        IEnumerable<IIdempotencyStore> idempotencyStores,
        [FromServices] Tenants tenants)
    {
        PrepareForLargeUpload(context, options.Value);
        if (!IdempotencyKey.TryRead(context.Request.Headers, out var key, out var keyError))
        {
            return Problems.BadRequest("Invalid Idempotency-Key header.", keyError!);
        }

        // Not the request's abort token: a client that goes away fails the body's next read, and the job says
        // client_disconnected; once every byte is in, the job goes on whether the client waits for the answer or not.
        using var body = new RequestBodyStream(context.Request.Body);
        var tenant = await tenants.OfAsync(context).ConfigureAwait(false);
        if (key is not null && idempotencyStores.LastOrDefault() is { } store)
        {
            var submit = new IdempotentSubmit(context, pipeline, store, time, pipelineOptions.Value.Retention.IdempotencyKeys);
            return await submit.SubmitAsync(key, tenant, body).ConfigureAwait(false);
        }

        var (status, elapsed) = await ImportAsync(context, pipeline, time, body, tenant, progress: null).ConfigureAwait(false);
        return Answer(context, status, elapsed);
    }

    /// <summary>Runs the job's import on the request's body; answers the job after import and how long the import took.</summary>
    internal static async Task<(JobStatus Status, TimeSpan Elapsed)> ImportAsync(
        HttpContext context, IPipeline pipeline, TimeProvider time, Stream body, string? tenant, IProgress<JobStatus>? progress)
    {
        var started = time.GetTimestamp();
        var input = PipelineInput.FromJson(body, context.Request.ContentLength);
        input.Progress = progress;
        input.Tenant = tenant;
        var status = await pipeline.SubmitAsync(input, CancellationToken.None).ConfigureAwait(false);
        return (status, time.GetElapsedTime(started));
    }

    /// <summary>The answer to a submit: <c>202</c> with the job's links for a job that imported, a problem for one that did not.</summary>
    internal static Results<JsonHttpResult<SubmitResponse>, ProblemHttpResult> Answer(HttpContext context, JobStatus status, TimeSpan elapsed)
    {
        if (status.State == JobState.Failed && status.Stage is PipelineStage.Created or PipelineStage.Import)
        {
            return status.Error?.Kind == JobErrorKind.InvalidInput
                ? Problems.InvalidInput(status)
                : Problems.JobFailed(status, StatusCodes.Status500InternalServerError, "The job failed while importing its input.");
        }

        var links = JobLinks.For(context.Request.PathBase, status.JobId);
        var throughput = Measure(status.Progress, elapsed);
        var (estimate, seconds) = Estimate(elapsed);
        var response = new SubmitResponse(
            status.JobId,
            WireNames.Of(status.State),
            links.Status,
            links.Offers,
            links.Events,
            estimate,
            seconds,
            throughput,
            "Monitor job status. Offers will be available when pipeline completes.",
            "Use the offers_url endpoint to retrieve results when job is complete, or follow events_url for live progress.");
        context.Response.Headers.Location = links.Status;
        return TypedResults.Json(response, PipelineJsonContext.Default.SubmitResponse, statusCode: StatusCodes.Status202Accepted);
    }

    internal static void PrepareForLargeUpload(HttpContext context, TransactionPipelineHttpOptions options)
    {
        // The body is streamed into the store, so its size is bounded by disk, not memory: lift the limit for
        // this route only, but keep cutting off clients that trickle bytes to hold a connection open.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = null;
        }

        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = new MinDataRate(options.MinUploadBytesPerSecond, options.MinUploadGracePeriod);
        }
    }

    private static ImportThroughput Measure(JobProgress progress, TimeSpan elapsed)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-3);
        return new ImportThroughput(
            progress.TransactionsImported,
            progress.BytesRead,
            Math.Round(elapsed.TotalSeconds, 3),
            Math.Round(progress.BytesRead / seconds),
            Math.Round(progress.TransactionsImported / seconds));
    }

    internal static (string Text, double Seconds) Estimate(TimeSpan importDuration)
    {
        var low = importDuration.TotalSeconds * RemainingWorkLow;
        var high = importDuration.TotalSeconds * RemainingWorkHigh;
        var text = high < 1
            ? "less than a second"
            : high < 120
                ? string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(low)}-{Math.Ceiling(high)} seconds")
                : string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(low / 60)}-{Math.Ceiling(high / 60)} minutes");
        return (text, Math.Round(high, 3));
    }
}

/// <summary>The URLs of one job's resources, relative to the application's base path.</summary>
internal readonly record struct JobLinks(string Status, string Offers, string Events)
{
    public static JobLinks For(PathString pathBase, string jobId)
    {
        var job = $"{pathBase}/api/jobs/{Uri.EscapeDataString(jobId)}";
        return new JobLinks($"{job}/status/", $"{job}/offers/", $"{job}/events/");
    }
}

internal static class Problems
{
    public static ProblemHttpResult NotFound(string jobId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Job not found.",
        detail: $"Job '{jobId}' was not found.",
        extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["job_id"] = jobId });

    public static ProblemHttpResult InvalidInput(JobStatus status)
    {
        Debug.Assert(status.Error is not null, "Only failed jobs carry an error.");
        return JobFailed(status, StatusCodes.Status400BadRequest, "The request body is not a valid transaction file.");
    }

    public static ProblemHttpResult JobFailed(JobStatus status, int statusCode, string title) => TypedResults.Problem(
        statusCode: statusCode,
        title: title,
        detail: status.Error?.Message,
        extensions: ErrorExtensions(status));

    public static ProblemHttpResult NotComplete(JobStatus status) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: status.State == JobState.Failed ? "The job failed; it has no offers." : "The job has not completed yet.",
        detail: status.Error?.Message ?? $"Job '{status.JobId}' is {WireNames.Of(status.State)}; offers are available once it is JOB_COMPLETE.",
        extensions: ErrorExtensions(status));

    public static ProblemHttpResult IdempotencyKeyInUse(string key, string? jobId) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "A request with this Idempotency-Key is still being processed.",
        detail: $"The upload that first sent Idempotency-Key '{key}' has not finished; retry once it has, and it answers that job.",
        extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["idempotency_key"] = key, ["job_id"] = jobId });

    public static ProblemHttpResult IdempotencyKeyReused(string key, string? jobId) => TypedResults.Problem(
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "The Idempotency-Key was already used for another request body.",
        detail: $"Idempotency-Key '{key}' belongs to a job made from a different body; send a new key for a new file.",
        extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["idempotency_key"] = key, ["job_id"] = jobId });

    public static ProblemHttpResult BadRequest(string title, string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    private static Dictionary<string, object?> ErrorExtensions(JobStatus status)
    {
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["job_id"] = status.JobId,
            ["job_status"] = WireNames.Of(status.State),
            ["current_stage"] = WireNames.Of(status.Stage),
        };
        if (status.Error is { } error)
        {
            extensions["error_kind"] = WireNames.Of(error.Kind);
            extensions["item_index"] = error.ItemIndex;
            extensions["byte_offset"] = error.ByteOffset;
            extensions["path"] = error.Path;
        }

        return extensions;
    }
}
