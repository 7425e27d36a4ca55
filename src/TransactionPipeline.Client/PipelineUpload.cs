using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace TransactionPipeline.Client;

/// <summary>
/// A resumable upload (tus 1.0) of one file and the job it feeds, made by
/// <see cref="TransactionPipelineClient.CreateUploadAsync"/>: the job exists and can be watched before the first byte is sent.
/// </summary>
/// <remarks>
/// <see cref="SendAsync"/> sends the bytes; after a network error it asks the server how much it has taken and resends
/// from there, with exponential backoff, so a dropped connection costs a retry, not the whole upload. One PATCH sends
/// the rest of the file unless <see cref="PipelineUploadOptions.ChunkSize"/> says otherwise, so give the
/// <see cref="HttpClient"/> a <see cref="HttpClient.Timeout"/> that covers it (or <see cref="Timeout.InfiniteTimeSpan"/>);
/// a shorter one cuts the upload into timed-out PATCHes that resume, at the cost of a retry each.
/// </remarks>
public sealed class PipelineUpload
{
    private const string TusVersion = "1.0.0";
    private const string OffsetContentType = "application/offset+octet-stream";

    private readonly HttpClient _http;
    private readonly Stream _source;
    private readonly long _start;
    private readonly PipelineUploadOptions _options;

    internal PipelineUpload(HttpClient http, Uri uploadUrl, UploadCreated created, Stream source, long start, long length, PipelineUploadOptions options)
    {
        _http = http;
        _source = source;
        _start = start;
        _options = options;
        UploadUrl = uploadUrl;
        JobId = created.JobId;
        StatusUrl = created.StatusUrl;
        OffersUrl = created.OffersUrl;
        EventsUrl = created.EventsUrl;
        Length = length;
        Offset = created.UploadOffset;
    }

    /// <summary>Gets the job's id, known from the moment the upload exists.</summary>
    public string JobId { get; }

    /// <summary>Gets the upload's URL, which only this upload's client knows.</summary>
    public Uri UploadUrl { get; }

    /// <summary>Gets the path of the job's status.</summary>
    public string StatusUrl { get; }

    /// <summary>Gets the path of the job's offers.</summary>
    public string OffersUrl { get; }

    /// <summary>Gets the path of the job's event stream.</summary>
    public string EventsUrl { get; }

    /// <summary>Gets the upload's length in bytes.</summary>
    public long Length { get; }

    /// <summary>Gets the bytes the server has confirmed.</summary>
    public long Offset { get; private set; }

    /// <summary>Sends the rest of the file, resuming from the server's offset after each network error.</summary>
    /// <param name="progress">Receives the bytes sent and confirmed as the upload goes; <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops sending. The upload stays resumable until it expires; <see cref="TerminateAsync"/> cancels its job.</param>
    /// <returns>A task that completes when the server has every byte and the job's import has ended.</returns>
    /// <exception cref="PipelineApiException">
    /// The server refused the upload: for example <c>400</c> when the body turned out invalid (the problem carries the
    /// item index and byte offset), or <c>410</c> when its job failed or expired.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="PipelineUploadOptions.ChunkSize"/> is 0 or less.</exception>
    /// <exception cref="HttpRequestException">
    /// The network failed more times in a row, without the server taking a byte in between, than
    /// <see cref="PipelineUploadOptions.MaxRetries"/> allows.
    /// </exception>
    public async Task SendAsync(IProgress<UploadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (_options.ChunkSize is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(progress), _options.ChunkSize, "PipelineUploadOptions.ChunkSize must be positive, or null for one PATCH.");
        }

        var failures = 0;
        var retries = 0;

        // Done only when a PATCH's own answer says every byte is in: that answer comes once the job's import has ended, so
        // a body that turns out invalid at its very end still throws. An offset learnt from HEAD is followed by an empty
        // PATCH at the end for that answer.
        var confirmed = false;
        while (!confirmed)
        {
            try
            {
                confirmed = await PatchAsync(progress, retries, cancellationToken).ConfigureAwait(false);
                failures = 0;
                progress?.Report(new UploadProgress(Offset, Length, retries));
            }
            catch (Exception ex) when (IsTransient(ex, cancellationToken))
            {
                retries++;
                if (++failures > _options.MaxRetries)
                {
                    throw;
                }

                await Task.Delay(Backoff(failures), cancellationToken).ConfigureAwait(false);
                var before = Offset;
                await TryReadOffsetAsync(cancellationToken).ConfigureAwait(false);
                if (Offset > before)
                {
                    // The server took bytes of the attempt that failed: the network works, it only drops connections.
                    failures = 0;
                }
            }
        }
    }

    /// <summary>Terminates the upload: the server cancels its job, which ends <c>FAILED</c> with kind <c>cancelled</c>.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the server has terminated the upload.</returns>
    /// <exception cref="PipelineApiException">The server does not know the upload (<c>404</c>).</exception>
    public async Task TerminateAsync(CancellationToken cancellationToken = default)
    {
        using var request = Request(HttpMethod.Delete);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await TransactionPipelineClient.ThrowIfProblemAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends one PATCH from the offset; <see langword="true"/> when its answer confirms every byte.</summary>
    private async Task<bool> PatchAsync(IProgress<UploadProgress>? progress, int retries, CancellationToken cancellationToken)
    {
        var count = Math.Min(Length - Offset, _options.ChunkSize ?? long.MaxValue);
        _source.Position = _start + Offset;
        var body = new SliceStream(_source, count, Offset, sent => progress?.Report(new UploadProgress(sent, Length, retries)));
        using var content = new StreamContent(body, 81_920);
        content.Headers.ContentType = new MediaTypeHeaderValue(OffsetContentType);
        content.Headers.ContentLength = count;
        using var request = Request(HttpMethod.Patch);
        request.Headers.Add("Upload-Offset", Offset.ToString(CultureInfo.InvariantCulture));
        request.Content = content;
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict && ReadOffset(response) is { } serverOffset)
        {
            // Another view of the offset than ours (a PATCH we thought lost had arrived): resume from the server's.
            Offset = serverOffset;
            return false;
        }

        if (response.StatusCode is HttpStatusCode.Locked or >= HttpStatusCode.InternalServerError)
        {
            throw new HttpRequestException($"The server answered {(int)response.StatusCode} to a PATCH; retrying.", null, response.StatusCode);
        }

        await TransactionPipelineClient.ThrowIfProblemAsync(response, cancellationToken).ConfigureAwait(false);
        Offset = ReadOffset(response) ?? throw new HttpRequestException("The server's answer to a PATCH had no Upload-Offset.");
        return Offset == Length;
    }

    /// <summary>Asks the server how much it has taken; on a network error the next PATCH's own answer settles it.</summary>
    private async Task TryReadOffsetAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var request = Request(HttpMethod.Head);
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode && ReadOffset(response) is { } offset)
            {
                Offset = offset;
            }
        }
        catch (Exception ex) when (IsTransient(ex, cancellationToken))
        {
            // The server is still out of reach: the PATCH that follows fails the same way and waits longer.
        }
    }

    private HttpRequestMessage Request(HttpMethod method)
    {
        var request = new HttpRequestMessage(method, UploadUrl);
        request.Headers.Add("Tus-Resumable", TusVersion);
        return request;
    }

    private TimeSpan Backoff(int failures) => Backoff(_options, failures);

    /// <summary>The wait before the attempt after <paramref name="failures"/> failures in a row: doubling, capped, with jitter.</summary>
    internal static TimeSpan Backoff(PipelineUploadOptions options, int failures)
    {
        var delay = options.FirstRetryDelay * Math.Pow(2, Math.Min(failures - 1, 20));
        var capped = delay > options.MaxRetryDelay ? options.MaxRetryDelay : delay;
        return capped * (0.5 + (Random.Shared.NextDouble() / 2));
    }

    private static long? ReadOffset(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Upload-Offset", out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? offset
            : null;

    internal static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        HttpRequestException { StatusCode: null or HttpStatusCode.Locked or >= HttpStatusCode.InternalServerError } => true,
        IOException => true,

        // HttpClient's own timeout, not the caller's cancellation.
        TaskCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>At most <c>count</c> bytes of the source from its position, reporting the upload's bytes sent as they are read.</summary>
    private sealed class SliceStream(Stream source, long count, long offset, Action<long> sent) : Stream
    {
        private const long ReportEvery = 4 * 1024 * 1024;
        private long _read;
        private long _reported;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => count;

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = source.Read(buffer[..Allowed(buffer.Length)]);
            return Count(read);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await source.ReadAsync(buffer[..Allowed(buffer.Length)], cancellationToken).ConfigureAwait(false);
            return Count(read);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Allowed(int wanted) => (int)Math.Min(wanted, count - _read);

        private int Count(int read)
        {
            _read += read;
            if (_read - _reported >= ReportEvery)
            {
                _reported = _read;
                sent(offset + _read);
            }

            return read;
        }
    }
}

/// <summary>How far a resumable upload has got.</summary>
/// <param name="BytesSent">Bytes sent so far (confirmed by the server once each PATCH ends).</param>
/// <param name="BytesTotal">The upload's length.</param>
/// <param name="Retries">How many times the upload has resumed after a network error.</param>
public sealed record UploadProgress(long BytesSent, long BytesTotal, int Retries);

/// <summary>Options of a resumable upload.</summary>
public sealed class PipelineUploadOptions
{
    /// <summary>Gets or sets the most bytes one PATCH sends, more than 0; <see langword="null"/> sends the rest of the file in one.</summary>
    /// <remarks>Set it when a proxy between client and server limits request bodies.</remarks>
    /// <value>The default value is <see langword="null"/>.</value>
    public long? ChunkSize { get; set; }

    /// <summary>Gets or sets how many network errors in a row, with no byte taken by the server in between, the upload resumes after before it gives up.</summary>
    /// <value>The default value is 10.</value>
    public int MaxRetries { get; set; } = 10;

    /// <summary>Gets or sets the wait before the first resume; each further one in a row waits twice as long, with jitter.</summary>
    /// <value>The default value is 500 milliseconds.</value>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets or sets the longest wait between two attempts.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
}
