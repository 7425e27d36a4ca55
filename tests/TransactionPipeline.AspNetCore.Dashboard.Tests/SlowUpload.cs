using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.AspNetCore.Dashboard.Tests;

/// <summary>
/// An upload that keeps its job running: it trickles a third of its body, waits for <see cref="Resume"/>, trickles up
/// to two thirds, then stalls until the job is cancelled or the upload is disposed.
/// </summary>
/// <remarks>
/// Trickled a few kilobytes at a time, flushed each time, as over a slow link: the import reports progress at most
/// once per interval and only when a batch arrives, so a body sent in one burst would show no rows until its end.
/// </remarks>
internal sealed class SlowUpload : IAsyncDisposable
{
    private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _client;
    private Task? _upload;

    private SlowUpload(DashboardServer server) =>

        // Its own client without a timeout: the upload outlives the test client's.
        _client = new HttpClient { BaseAddress = server.Address, Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    public string JobId { get; private set; } = string.Empty;

    /// <summary>Starts the upload and answers once its job has imported rows.</summary>
    public static async Task<SlowUpload> StartAsync(DashboardServer server, int items = 3_000)
    {
        var upload = new SlowUpload(server);
        var content = new TrickledContent(Bodies.Many(items), upload._resume.Task);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        upload._upload = upload.SendAsync(content);

        var running = await Polling.WaitUntilAsync(
            async () => await server.Client.GetFromJsonAsync<JsonElement>("/api/jobs/?status=IN_PROGRESS"),
            page => page.GetProperty("jobs").EnumerateArray().Any(j => j.GetProperty("progress").GetProperty("transactions_imported").GetInt64() > 0),
            DashboardServer.Timeout);
        var job = running.GetProperty("jobs").EnumerateArray().Should().ContainSingle("the upload's job runs").Subject;
        job.GetProperty("progress").GetProperty("transactions_imported").GetInt64().Should().BeGreaterThan(0, "the first third of the body is imported before it pauses");
        upload.JobId = job.GetProperty("job_id").GetString()!;
        return upload;
    }

    /// <summary>Lets the upload send its second third.</summary>
    public void Resume() => _resume.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _upload!;
        _client.Dispose();
        _stop.Dispose();
    }

    private async Task SendAsync(HttpContent content)
    {
        try
        {
            using (content)
            {
                using var response = await _client.PostAsync("/api/financial-transactions/process-transactions/", content, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            // The job was cancelled under it, or the test is over: the upload is cut off either way.
        }
    }

    /// <summary>The body in 4 KiB pieces 20 ms apart: the first third, then after the signal the second, then nothing more.</summary>
    private sealed class TrickledContent(byte[] body, Task resume) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await TrickleAsync(stream, 0, body.Length / 3, cancellationToken);
            await resume.WaitAsync(cancellationToken);
            await TrickleAsync(stream, body.Length / 3, body.Length * 2 / 3, cancellationToken);
            await Task.Delay(System.Threading.Timeout.Infinite, cancellationToken);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        private async Task TrickleAsync(Stream stream, int from, int to, CancellationToken cancellationToken)
        {
            for (var offset = from; offset < to; offset += 4_096)
            {
                await Task.Delay(20, cancellationToken);
                await stream.WriteAsync(body.AsMemory(offset, Math.Min(4_096, to - offset)), cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }
        }
    }
}
