using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TransactionPipeline.AspNetCore.Http;

namespace TransactionPipeline.AspNetCore.Uploads;

/// <summary>
/// tus 1.0.0 (tus.io/protocols/resumable-upload) with the creation, creation-with-upload, creation-defer-length,
/// termination and expiration extensions: <c>POST</c> creates an upload and its job, <c>PATCH</c> appends at the offset,
/// <c>HEAD</c> says the offset after a dropped connection, <c>DELETE</c> cancels the job.
/// </summary>
internal static class UploadEndpoints
{
    public const string Version = "1.0.0";
    public const string ExtensionList = "creation,creation-with-upload,creation-defer-length,termination,expiration";
    public const string OffsetContentType = "application/offset+octet-stream";
    public const string JobIdHeader = "Pipeline-Job-Id";

    /// <summary>How long a PATCH waits for one whose connection is going away to let go of the upload.</summary>
    private static readonly TimeSpan WriterWait = TimeSpan.FromSeconds(5);

    public static void Map(RouteGroupBuilder api)
    {
        var uploads = api.MapGroup("/financial-transactions/uploads").AddEndpointFilter(ProtocolAsync).WithTags("Resumable uploads (tus 1.0)");
        uploads.MapMethods("/", [HttpMethods.Options], Discover).WithName("DiscoverUploads")
            .WithSummary("Answers the tus version, extensions and limits of this server.").Produces(StatusCodes.Status204NoContent);
        uploads.MapMethods("/{uploadId}/", [HttpMethods.Options], Discover).ExcludeFromDescription();
        uploads.MapPost("/", CreateAsync).WithName("CreateUpload")
            .WithSummary("Creates a resumable upload and its job (Upload-Length, or Upload-Defer-Length: 1), optionally with the first bytes; answers 201 with Location and the job's id and links.")
            .Accepts<Stream>(OffsetContentType, "*/*")
            .Produces(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        uploads.MapMethods("/{uploadId}/", [HttpMethods.Head], HeadAsync).WithName("GetUploadOffset")
            .WithSummary("Answers the offset the server has taken (Upload-Offset), to resume from after a dropped connection.")
            .Produces(StatusCodes.Status200OK).Produces(StatusCodes.Status404NotFound).Produces(StatusCodes.Status410Gone);
        uploads.MapPatch("/{uploadId}/", AppendAsync).WithName("AppendUpload")
            .WithSummary("Appends bytes at Upload-Offset; they stream straight into the job's import.")
            .Accepts<Stream>(OffsetContentType)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone).ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status423Locked);
        uploads.MapPost("/{uploadId}/", OverrideAsync).ExcludeFromDescription();
        uploads.MapDelete("/{uploadId}/", TerminateAsync).WithName("TerminateUpload")
            .WithSummary("Terminates the upload and cancels its job (it ends FAILED with kind cancelled).")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>Every answer says the protocol version; every request but discovery must speak it.</summary>
    private static async ValueTask<object?> ProtocolAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        context.Response.Headers["Tus-Resumable"] = Version;
        if (!HttpMethods.IsOptions(context.Request.Method) && context.Request.Headers["Tus-Resumable"].ToString() != Version)
        {
            context.Response.Headers["Tus-Version"] = Version;
            return TypedResults.Problem(
                statusCode: StatusCodes.Status412PreconditionFailed,
                title: "Unsupported tus version.",
                detail: $"Send the header Tus-Resumable: {Version}; it was '{context.Request.Headers["Tus-Resumable"]}'.");
        }

        return await next(invocation).ConfigureAwait(false);
    }

    private static NoContent Discover(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers["Tus-Version"] = Version;
        headers["Tus-Extension"] = ExtensionList;
        return TypedResults.NoContent();
    }

    private static async Task<IResult> CreateAsync(
        HttpContext context, IOptions<TransactionPipelineHttpOptions> options, [FromServices] UploadRegistry uploads, [FromServices] Tenants tenants)
    {
        var request = context.Request;
        SubmitEndpoint.PrepareForLargeUpload(context, options.Value);
        long? length = null;
        var deferred = request.Headers["Upload-Defer-Length"].ToString();
        if (request.Headers.ContainsKey("Upload-Length"))
        {
            if (!TryReadLength(request, "Upload-Length", out var declared) || deferred.Length > 0)
            {
                return Problems.BadRequest("Invalid Upload-Length.", "Upload-Length must be a non-negative whole number of bytes, without Upload-Defer-Length.");
            }

            length = declared;
        }
        else if (deferred != "1")
        {
            return Problems.BadRequest("Missing Upload-Length.", "Send Upload-Length with the size in bytes, or Upload-Defer-Length: 1 and the length in a later PATCH.");
        }

        var withBody = request.ContentLength > 0
            || (request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);
        if (withBody && !IsOffsetStream(request))
        {
            return UnsupportedMediaType(request);
        }

        if (length is { } total && request.ContentLength is { } bytes && bytes > total)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "The body goes past Upload-Length.",
                detail: $"The upload is {total} bytes; this body has {bytes}.");
        }

        var metadataHeader = request.Headers["Upload-Metadata"].ToString();
        if (!TryReadMetadata(metadataHeader, out var metadata, out var invalid))
        {
            return Problems.BadRequest("Invalid Upload-Metadata.", invalid!);
        }

        PipelineConfiguration? defaults = null;
        if (metadata.ContainsKey("credit_model_config") || metadata.ContainsKey("aggregate_config"))
        {
            try
            {
                defaults = PipelineConfiguration.FromJson(metadata.GetValueOrDefault("credit_model_config"), metadata.GetValueOrDefault("aggregate_config"));
            }
            catch (FormatException ex)
            {
                return Problems.BadRequest("Invalid configuration in Upload-Metadata.", ex.Message);
            }
        }

        var (upload, failed) = await uploads.CreateAsync(await tenants.OfAsync(context).ConfigureAwait(false), length, metadataHeader, defaults).ConfigureAwait(false);
        if (upload is null)
        {
            return Failed(failed!);
        }

        var location = $"{request.PathBase}/api/financial-transactions/uploads/{upload.Id}";
        context.Response.Headers.Location = location;
        if (withBody)
        {
            if (!await upload.TryBeginWriteAsync(WriterWait, CancellationToken.None).ConfigureAwait(false))
            {
                return Locked(upload);
            }

            try
            {
                var outcome = await upload.AppendAsync(request.Body, context.RequestAborted).ConfigureAwait(false);
                if (await AfterAppendAsync(context, upload, outcome).ConfigureAwait(false) is { } problem)
                {
                    return problem;
                }

                WriteState(context.Response, upload);
            }
            finally
            {
                upload.EndWrite();
            }
        }
        else
        {
            WriteState(context.Response, upload);
        }

        var links = JobLinks.For(request.PathBase, upload.JobId);
        var body = new UploadCreatedResponse(
            upload.JobId, WireNames.Of(JobState.InProgress), location, links.Status, links.Offers, links.Events, upload.Offset, upload.Length, upload.ExpiresAt);
        return TypedResults.Json(body, PipelineJsonContext.Default.UploadCreatedResponse, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> HeadAsync(string uploadId, HttpContext context, [FromServices] UploadRegistry uploads, [FromServices] Tenants tenants)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (await FindAsync(context, uploads, tenants, uploadId).ConfigureAwait(false) is not { } upload)
        {
            return NotFound(uploadId);
        }

        if (await EndedJobOfAsync(upload).ConfigureAwait(false) is { } failed)
        {
            // 410 whatever the failure: a tus client then starts a new upload instead of resuming this one.
            return Problems.JobFailed(failed, StatusCodes.Status410Gone, "The upload's job has failed; start a new upload.");
        }

        WriteState(context.Response, upload);
        if (upload.Metadata.Length > 0)
        {
            context.Response.Headers["Upload-Metadata"] = upload.Metadata;
        }

        return TypedResults.Ok();
    }

    /// <summary>tus's <c>X-HTTP-Method-Override</c>, for clients behind proxies that pass only GET and POST.</summary>
    private static async Task<IResult> OverrideAsync(
        string uploadId, HttpContext context, IOptions<TransactionPipelineHttpOptions> options, [FromServices] UploadRegistry uploads, [FromServices] Tenants tenants)
    {
        var method = context.Request.Headers["X-HTTP-Method-Override"].ToString();
        if (HttpMethods.IsPatch(method))
        {
            return await AppendAsync(uploadId, context, options, uploads, tenants).ConfigureAwait(false);
        }

        if (HttpMethods.IsDelete(method))
        {
            return await TerminateAsync(uploadId, context, uploads, tenants).ConfigureAwait(false);
        }

        if (HttpMethods.IsHead(method))
        {
            return await HeadAsync(uploadId, context, uploads, tenants).ConfigureAwait(false);
        }

        return TypedResults.Problem(
            statusCode: StatusCodes.Status405MethodNotAllowed,
            title: "POST on an upload needs X-HTTP-Method-Override.",
            detail: $"Send PATCH, HEAD or DELETE, or POST with X-HTTP-Method-Override naming one of them; it was '{method}'.");
    }

    private static async Task<IResult> AppendAsync(
        string uploadId, HttpContext context, IOptions<TransactionPipelineHttpOptions> options, [FromServices] UploadRegistry uploads, [FromServices] Tenants tenants)
    {
        var request = context.Request;
        SubmitEndpoint.PrepareForLargeUpload(context, options.Value);
        if (await FindAsync(context, uploads, tenants, uploadId).ConfigureAwait(false) is not { } upload)
        {
            return NotFound(uploadId);
        }

        if (!IsOffsetStream(request))
        {
            return UnsupportedMediaType(request);
        }

        if (!TryReadLength(request, "Upload-Offset", out var offset))
        {
            return Problems.BadRequest("Invalid Upload-Offset.", "PATCH needs Upload-Offset: the non-negative byte offset this body starts at.");
        }

        long? newLength = null;
        if (request.Headers.ContainsKey("Upload-Length"))
        {
            if (!TryReadLength(request, "Upload-Length", out var declared))
            {
                return Problems.BadRequest("Invalid Upload-Length.", "Upload-Length must be a non-negative whole number of bytes.");
            }

            newLength = declared;
        }

        if (!await upload.TryBeginWriteAsync(WriterWait, context.RequestAborted).ConfigureAwait(false))
        {
            return Locked(upload);
        }

        try
        {
            if (await EndedJobOfAsync(upload).ConfigureAwait(false) is { } failed)
            {
                return Failed(failed);
            }

            if (offset != upload.Offset)
            {
                context.Response.Headers["Upload-Offset"] = upload.Offset.ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Upload-Offset does not match the upload.",
                    detail: $"This PATCH starts at byte {offset}, but the server has taken {upload.Offset} bytes; send HEAD and resume from its Upload-Offset.",
                    extensions: UploadExtensions(upload));
            }

            var length = upload.Length;
            if (newLength is { } declaredLength)
            {
                if (length is { } known && known != declaredLength)
                {
                    return Problems.BadRequest("Upload-Length cannot change.", $"The upload's length is {known} bytes; this PATCH says {declaredLength}.");
                }

                if (declaredLength < upload.Offset)
                {
                    return Problems.BadRequest("Upload-Length is below the offset.", $"The server has already taken {upload.Offset} bytes; Upload-Length was {declaredLength}.");
                }

                length = declaredLength;
            }

            if (length is { } total && request.ContentLength is { } bytes && offset + bytes > total)
            {
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status413PayloadTooLarge,
                    title: "The PATCH goes past Upload-Length.",
                    detail: $"The upload is {total} bytes and has {offset}; this body of {bytes} bytes would end at {offset + bytes}.",
                    extensions: UploadExtensions(upload));
            }

            if (newLength is { } set)
            {
                upload.SetLength(set);
            }

            var outcome = upload.IsComplete ? AppendOutcome.Complete : await upload.AppendAsync(request.Body, context.RequestAborted).ConfigureAwait(false);
            if (outcome == AppendOutcome.Complete)
            {
                // Also when the last byte came earlier and this PATCH only declared the deferred length: the input ends here.
                upload.CompleteWriter(null);
            }

            if (await AfterAppendAsync(context, upload, outcome).ConfigureAwait(false) is { } problem)
            {
                return problem;
            }

            WriteState(context.Response, upload);
            return TypedResults.NoContent();
        }
        finally
        {
            upload.EndWrite();
        }
    }

    private static async Task<IResult> TerminateAsync(string uploadId, HttpContext context, [FromServices] UploadRegistry uploads, [FromServices] Tenants tenants)
    {
        if (await FindAsync(context, uploads, tenants, uploadId).ConfigureAwait(false) is not { } upload)
        {
            return NotFound(uploadId);
        }

        var requestedBy = $"DELETE of its upload from {context.Connection.RemoteIpAddress?.ToString() ?? "an unknown address"}";
        await uploads.TerminateAsync(upload, requestedBy, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    /// <summary>What a PATCH answers once its body is in: nothing more to say, or the problem of the job that stopped taking bytes.</summary>
    private static async Task<IResult?> AfterAppendAsync(HttpContext context, ResumableUpload upload, AppendOutcome outcome)
    {
        switch (outcome)
        {
            case AppendOutcome.ConnectionLost:
                // Nobody is listening; the client asks HEAD when it comes back.
                return TypedResults.Empty;
            case AppendOutcome.Malformed:
                context.Response.Headers["Upload-Offset"] = upload.Offset.ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status400BadRequest,
                    title: "The PATCH body's framing is broken.",
                    detail: $"The body could not be read after byte {upload.Offset} of the upload (a bad chunk, say); the bytes before it are taken. Resume from Upload-Offset.",
                    extensions: UploadExtensions(upload));
            case AppendOutcome.Complete or AppendOutcome.ImportStopped:
                // The import reads the last bytes (or has stopped): the job's state after import is the answer.
                var status = await upload.ImportedAsync().ConfigureAwait(false);
                return status.State == JobState.Failed ? Failed(status) : null;
            case AppendOutcome.Closed:
                return await ClosedAsync(upload).ConfigureAwait(false);
            default:
                return null;
        }
    }

    /// <summary>
    /// The answer of an upload that takes no more bytes: the failure of its job once that has ended (expired, cancelled,
    /// host stopping), or <c>503</c> when it is still ending.
    /// </summary>
    private static async Task<IResult> ClosedAsync(ResumableUpload upload) =>
        await FailureOfClosingAsync(upload).ConfigureAwait(false) is { } failed
            ? Failed(failed)
            : TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The upload is closing.",
                detail: "The upload takes no more bytes (it expired, was terminated, or its host is stopping); follow its job's status.",
                extensions: UploadExtensions(upload));

    /// <summary>The job of an upload that takes no more bytes and whose import has ended in failure, or <see langword="null"/>.</summary>
    private static async Task<JobStatus?> EndedJobOfAsync(ResumableUpload upload)
    {
        if (upload.IsClosing && !upload.IsComplete)
        {
            // Expired or terminated a moment ago: its import is ending; its failure is the answer.
            return await FailureOfClosingAsync(upload).ConfigureAwait(false);
        }

        return upload.ImportEnded && await upload.ImportedAsync().ConfigureAwait(false) is { State: JobState.Failed } failed ? failed : null;
    }

    /// <summary>
    /// The failure of a closing upload's job once its import has ended, waiting a little for that; not at all while the
    /// host stops, whose shutdown must not wait for requests that wait for jobs the worker's stop ends.
    /// </summary>
    private static async Task<JobStatus?> FailureOfClosingAsync(ResumableUpload upload) =>
        await upload.ImportedWithinAsync(upload.HostStopping ? TimeSpan.Zero : WriterWait).ConfigureAwait(false) is { State: JobState.Failed } failed
            ? failed
            : null;

    private static async Task<ResumableUpload?> FindAsync(HttpContext context, UploadRegistry uploads, Tenants tenants, string uploadId) =>
        uploads.Find(uploadId) is { } upload && (!tenants.Enabled || upload.Tenant == await tenants.OfAsync(context).ConfigureAwait(false))
            ? upload
            : null;

    private static void WriteState(HttpResponse response, ResumableUpload upload)
    {
        var headers = response.Headers;
        headers["Upload-Offset"] = upload.Offset.ToString(CultureInfo.InvariantCulture);
        if (upload.Length is { } length)
        {
            headers["Upload-Length"] = length.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            headers["Upload-Defer-Length"] = "1";
        }

        if (!upload.IsComplete && !upload.IsClosing)
        {
            headers["Upload-Expires"] = upload.ExpiresAt.ToString("R", CultureInfo.InvariantCulture);
        }

        headers[JobIdHeader] = upload.JobId;
    }

    /// <summary>A job that failed during its upload: <c>400</c> for a body that turned out invalid, <c>410</c> otherwise.</summary>
    private static ProblemHttpResult Failed(JobStatus status) => status.Error?.Kind == JobErrorKind.InvalidInput
        ? Problems.InvalidInput(status)
        : Problems.JobFailed(status, StatusCodes.Status410Gone, "The upload's job has failed; start a new upload.");

    private static ProblemHttpResult NotFound(string uploadId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Upload not found.",
        detail: $"Upload '{uploadId}' is unknown to this host: it was terminated, it expired, it finished long ago, or the host that held it restarted (its job then ended FAILED).");

    private static ProblemHttpResult Locked(ResumableUpload upload) => TypedResults.Problem(
        statusCode: StatusCodes.Status423Locked,
        title: "Another PATCH is writing to this upload.",
        detail: "Wait for it to end (or for its connection to drop), then send HEAD and resume from its Upload-Offset.",
        extensions: UploadExtensions(upload));

    private static ProblemHttpResult UnsupportedMediaType(HttpRequest request) => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Upload bytes must be sent as application/offset+octet-stream.",
        detail: $"The Content-Type was '{request.ContentType}'.");

    private static Dictionary<string, object?> UploadExtensions(ResumableUpload upload) => new(StringComparer.Ordinal)
    {
        ["job_id"] = upload.JobId,
        ["upload_offset"] = upload.Offset,
        ["upload_length"] = upload.Length,
    };

    private static bool IsOffsetStream(HttpRequest request) =>
        request.ContentType is { } type && type.Split(';')[0].Trim().Equals(OffsetContentType, StringComparison.OrdinalIgnoreCase);

    private static bool TryReadLength(HttpRequest request, string header, out long value) =>
        long.TryParse(request.Headers[header].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <summary>Reads <c>Upload-Metadata</c>: comma-separated pairs of an ASCII key and, after a space, its value in base64.</summary>
    internal static bool TryReadMetadata(string header, out Dictionary<string, string> metadata, out string? error)
    {
        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        error = null;
        if (header.Length == 0)
        {
            return true;
        }

        foreach (var pair in header.Split(','))
        {
            var parts = pair.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length is 0 or > 2 || parts[0].Any(c => c > 127) || metadata.ContainsKey(parts[0]))
            {
                error = $"Each pair is a unique ASCII key and an optional base64 value separated by one space; '{pair.Trim()}' is not.";
                return false;
            }

            try
            {
                metadata[parts[0]] = parts.Length == 1 ? string.Empty : Encoding.UTF8.GetString(Convert.FromBase64String(parts[1]));
            }
            catch (FormatException)
            {
                error = $"The value of '{parts[0]}' is not base64.";
                return false;
            }
        }

        return true;
    }
}
