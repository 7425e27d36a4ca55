using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TransactionPipeline.AspNetCore.Tests;

/// <summary>A second Kestrel on 127.0.0.1 that records webhook deliveries and can fail the first few.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>();
    private int _failuresLeft;

    private WebhookReceiver(WebApplication app, int failFirst)
    {
        _app = app;
        _failuresLeft = failFirst;
    }

    public Uri Url { get; private set; } = null!;

    public int Attempts;

    public static async Task<WebhookReceiver> StartAsync(int failFirst = 0, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, failFirst);
        app.Urls.Add($"http://127.0.0.1:{port}");
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            Interlocked.Increment(ref receiver.Attempts);
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            if (Interlocked.Decrement(ref receiver._failuresLeft) >= 0)
            {
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            await receiver._deliveries.Writer.WriteAsync(new Delivery(
                request.Headers["webhook-id"].ToString(),
                request.Headers["webhook-timestamp"].ToString(),
                request.Headers["webhook-signature"].ToString(),
                body));
            return Results.Ok();
        });
        await app.StartAsync();
        receiver.Url = new Uri(PipelineServer.BoundAddress(app), "/hook");
        return receiver;
    }

    public async Task<Delivery> NextAsync()
    {
        using var timeout = new CancellationTokenSource(PipelineServer.Timeout);
        return await _deliveries.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Takes every delivery received so far, without waiting.</summary>
    public List<Delivery> TakeAll()
    {
        var all = new List<Delivery>();
        while (_deliveries.Reader.TryRead(out var delivery))
        {
            all.Add(delivery);
        }

        return all;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed record Delivery(string Id, string Timestamp, string Signature, string Body);
}
