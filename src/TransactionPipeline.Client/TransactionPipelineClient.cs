using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace TransactionPipeline.Client;

/// <summary>A typed client of the transaction pipeline's HTTP API.</summary>
/// <remarks>
/// Register it with <c>services.AddHttpClient&lt;TransactionPipelineClient&gt;(c =&gt; c.BaseAddress = ...)</c> or
/// construct it over any <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is the host. Set the
/// client's <see cref="HttpClient.Timeout"/> to cover a whole upload, or to <see cref="Timeout.InfiniteTimeSpan"/>.
/// </remarks>
public sealed class TransactionPipelineClient
{
    private const string JsonMediaType = "application/json";
    private readonly HttpClient _http;

    /// <summary>Initializes a new instance of the <see cref="TransactionPipelineClient"/> class.</summary>
    /// <param name="httpClient">The client to send with; its base address is the pipeline's host.</param>
    /// <exception cref="ArgumentNullException"><paramref name="httpClient"/> is <see langword="null"/>.</exception>
    public TransactionPipelineClient(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _http = httpClient;
    }

    /// <summary>Streams a JSON body in the seed's shape to the pipeline.</summary>
    /// <param name="json">The body; read once, never buffered whole. The caller disposes it.</param>
    /// <param name="idempotencyKey">
    /// Sent as the <c>Idempotency-Key</c> header when given: a retry of the same body with the same key answers the job
    /// the first request made instead of importing again (<c>409</c> while the first is still uploading, <c>422</c> for
    /// another body).
    /// </param>
    /// <param name="cancellationToken">Cancels the upload; the job then ends <c>FAILED</c>.</param>
    /// <returns>The job, imported and running its remaining stages.</returns>
    /// <exception cref="PipelineApiException">The server refused the body, for example with <c>400</c> for invalid input.</exception>
    public async Task<SubmittedJob> SubmitAsync(Stream json, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var content = new StreamContent(json, 81_920);
        content.Headers.ContentType = new MediaTypeHeaderValue(JsonMediaType);
        if (json.CanSeek)
        {
            content.Headers.ContentLength = json.Length - json.Position;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/financial-transactions/process-transactions/", UriKind.Relative))
        {
            Content = content,
        };
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", $"\"{idempotencyKey.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, ClientJsonContext.Default.SubmittedJob, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Streams a file in the seed's shape from disk to the pipeline.</summary>
    /// <param name="path">The file.</param>
    /// <param name="idempotencyKey">Sent as the <c>Idempotency-Key</c> header when given, as for <see cref="SubmitAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The job.</returns>
    /// <exception cref="PipelineApiException">The server refused the file.</exception>
    public async Task<SubmittedJob> SubmitFileAsync(string path, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81_920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            return await SubmitAsync(file, idempotencyKey, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Creates a resumable upload (tus 1.0) of <paramref name="json"/> and its job, without sending a byte yet: the job's
    /// id is known at once; <see cref="PipelineUpload.SendAsync"/> then sends the file and resumes after network errors.
    /// </summary>
    /// <param name="json">The body, from its current position to its end; it must seek, to resend from the server's offset. The caller disposes it after the upload.</param>
    /// <param name="options">Chunk size and retries (a network error on the creation is retried too); <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The upload, with its job's id and links.</returns>
    /// <exception cref="ArgumentException"><paramref name="json"/> cannot seek.</exception>
    /// <exception cref="PipelineApiException">The server refused the upload.</exception>
    public async Task<PipelineUpload> CreateUploadAsync(Stream json, PipelineUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (!json.CanSeek)
        {
            throw new ArgumentException("A resumable upload resends from the server's offset after a network error, so the stream must seek.", nameof(json));
        }

        options ??= new PipelineUploadOptions();
        var start = json.Position;
        var length = json.Length - start;
        for (var failures = 0; ; )
        {
            try
            {
                return await CreateOnceAsync(json, start, length, options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (PipelineUpload.IsTransient(ex, cancellationToken) && ++failures <= options.MaxRetries)
            {
                // The request may have reached the server: that upload then waits unused, and its job ends upload_expired.
                await Task.Delay(PipelineUpload.Backoff(options, failures), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<PipelineUpload> CreateOnceAsync(Stream json, long start, long length, PipelineUploadOptions options, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/financial-transactions/uploads/", UriKind.Relative));
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var created = await ReadAsync(response, ClientJsonContext.Default.UploadCreated, cancellationToken).ConfigureAwait(false);
        var location = response.Headers.Location ?? new Uri(created.UploadUrl, UriKind.RelativeOrAbsolute);
        var uploadUrl = location.IsAbsoluteUri || _http.BaseAddress is null ? location : new Uri(_http.BaseAddress, location);
        return new PipelineUpload(_http, uploadUrl, created, json, start, length, options);
    }

    /// <summary>Uploads a file resumably: creates the upload, reports its job, then sends the file, resuming after network errors.</summary>
    /// <param name="path">The file.</param>
    /// <param name="created">Called with the upload (and so the job's id) before the first byte is sent; <see langword="null"/> for none.</param>
    /// <param name="progress">Receives the bytes sent as the upload goes; <see langword="null"/> for none.</param>
    /// <param name="options">Chunk size and retries; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops the upload.</param>
    /// <returns>The upload, complete: every byte is in and the job's import has ended.</returns>
    /// <exception cref="PipelineApiException">The server refused the upload, for example with <c>400</c> for invalid input.</exception>
    public async Task<PipelineUpload> UploadFileAsync(
        string path,
        Action<PipelineUpload>? created = null,
        IProgress<UploadProgress>? progress = null,
        PipelineUploadOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81_920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            var upload = await CreateUploadAsync(file, options, cancellationToken).ConfigureAwait(false);
            created?.Invoke(upload);
            await upload.SendAsync(progress, cancellationToken).ConfigureAwait(false);
            return upload;
        }
    }

    /// <summary>Reads a job's status.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The status.</returns>
    /// <exception cref="PipelineApiException">The job is unknown (<c>404</c>).</exception>
    public async Task<JobStatusReport> GetStatusAsync(string jobId, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(JobUri(jobId, "status"), cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, ClientJsonContext.Default.JobStatusReport, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cancels an unfinished job on whichever host of the service runs it, or deletes a finished one.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>
    /// For a job that was running, its status when the cancel was accepted: follow it to <c>FAILED</c> with kind
    /// <c>cancelled</c> (and delete it then, if it should go). For a finished job, <see langword="null"/>: it is deleted
    /// with its rows, results, events and webhooks.
    /// </returns>
    /// <exception cref="PipelineApiException">The job is unknown (<c>404</c>).</exception>
    public async Task<JobStatusReport?> DeleteJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        using var response = await _http.DeleteAsync(new Uri($"api/jobs/{Uri.EscapeDataString(jobId)}/", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return response.StatusCode == System.Net.HttpStatusCode.NoContent
            ? null
            : await ReadAsync(response, ClientJsonContext.Default.JobStatusReport, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists jobs newest first, following the pages' cursors until the last page.</summary>
    /// <param name="status">Only jobs in this state (<c>OPEN</c>, <c>IN_PROGRESS</c>, <c>JOB_COMPLETE</c>, <c>FAILED</c>), or every state.</param>
    /// <param name="createdAfter">Only jobs created after this time, or all.</param>
    /// <param name="pageSize">How many jobs each request asks for, from 1 to 500.</param>
    /// <param name="cancellationToken">Stops the listing.</param>
    /// <returns>The jobs, one page requested at a time as the caller reads on.</returns>
    /// <exception cref="PipelineApiException">A filter is invalid (<c>400</c>).</exception>
    public async IAsyncEnumerable<JobStatusReport> ListJobsAsync(
        string? status = null, DateTimeOffset? createdAfter = null, int pageSize = 50, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? cursor = null;
        do
        {
            var query = new List<string> { $"limit={pageSize.ToString(CultureInfo.InvariantCulture)}" };
            if (status is not null)
            {
                query.Add($"status={Uri.EscapeDataString(status)}");
            }

            if (createdAfter is { } after)
            {
                query.Add($"created_after={Uri.EscapeDataString(after.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture))}");
            }

            if (cursor is not null)
            {
                query.Add($"cursor={Uri.EscapeDataString(cursor)}");
            }

            using var response = await _http.GetAsync(new Uri($"api/jobs/?{string.Join('&', query)}", UriKind.Relative), cancellationToken).ConfigureAwait(false);
            var page = await ReadAsync(response, ClientJsonContext.Default.JobListPage, cancellationToken).ConfigureAwait(false);
            foreach (var job in page.Jobs)
            {
                yield return job;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>Reads a completed job's offers.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The offers, summary and credit model results.</returns>
    /// <exception cref="PipelineApiException">The job is unknown (<c>404</c>), or not complete (<c>409</c>, see <see cref="PipelineApiException.JobStatus"/>).</exception>
    public async Task<JobOffers> GetOffersAsync(string jobId, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(JobUri(jobId, "offers"), cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, ClientJsonContext.Default.JobOffers, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Follows a job's events until its terminal event.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="afterSequence">The last event already seen; 0 for the whole history.</param>
    /// <param name="cancellationToken">Stops following.</param>
    /// <returns>The events, the last of which is <c>JOB_COMPLETE</c> or <c>FAILED</c> unless the connection drops.</returns>
    /// <exception cref="PipelineApiException">The job is unknown (<c>404</c>).</exception>
    /// <remarks>After a dropped connection, call again with the last <see cref="JobEventMessage.Sequence"/> seen to resume.</remarks>
    public async IAsyncEnumerable<JobEventMessage> WatchEventsAsync(
        string jobId, long afterSequence = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, JobUri(jobId, "events"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (afterSequence > 0)
        {
            request.Headers.Add("Last-Event-ID", afterSequence.ToString(CultureInfo.InvariantCulture));
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await ThrowIfProblemAsync(response, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var parser = SseParser.Create(stream, static (_, data) => JsonSerializer.Deserialize(data, ClientJsonContext.Default.JobEventMessage));
            await foreach (var item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
            {
                if (item.Data is { } jobEvent)
                {
                    yield return jobEvent;
                    if (jobEvent.IsTerminal)
                    {
                        yield break;
                    }
                }
            }
        }
    }

    /// <summary>Registers a URL that receives some of a job's events, signed the Standard Webhooks way.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="webhookUrl">The receiver.</param>
    /// <param name="events">The event types to deliver, for example <c>JOB_COMPLETE</c> and <c>FAILED</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The registration with its signing secret.</returns>
    /// <exception cref="PipelineApiException">The job is unknown (<c>404</c>), or the URL or events are refused (<c>400</c>).</exception>
    public async Task<WebhookRegistration> RegisterWebhookAsync(
        string jobId, Uri webhookUrl, IEnumerable<string> events, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        ArgumentNullException.ThrowIfNull(webhookUrl);
        ArgumentNullException.ThrowIfNull(events);
        var body = new WebhookRegistrationRequest(jobId, webhookUrl.ToString(), [.. events]);
        using var content = JsonContent.Create(body, ClientJsonContext.Default.WebhookRegistrationRequest);
        using var response = await _http.PostAsync(new Uri("api/jobs/webhooks/register/", UriKind.Relative), content, cancellationToken)
            .ConfigureAwait(false);
        return await ReadAsync(response, ClientJsonContext.Default.WebhookRegistration, cancellationToken).ConfigureAwait(false);
    }

    private static Uri JobUri(string jobId, string resource)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        return new Uri($"api/jobs/{Uri.EscapeDataString(jobId)}/{resource}/", UriKind.Relative);
    }

    private static async Task<T> ReadAsync<T>(
        HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        await ThrowIfProblemAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync(typeInfo, cancellationToken).ConfigureAwait(false)
            ?? throw new JsonException($"The pipeline answered {(int)response.StatusCode} with an empty body.");
    }

    internal static async Task ThrowIfProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var problem = default(JsonElement);
        try
        {
            problem = await response.Content.ReadFromJsonAsync(ClientJsonContext.Default.JsonElement, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's error page, say); the status alone has to do.
        }

        throw new PipelineApiException(
            response.StatusCode, PipelineApiException.ReadString(problem, "title"), PipelineApiException.ReadString(problem, "detail"), problem);
    }
}
