using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TransactionPipeline.AspNetCore.Webhooks;

namespace TransactionPipeline.AspNetCore.Tests.Webhooks;

public sealed class WebhookTests
{
    [Fact]
    public async Task Register_BeforeCompletion_DeliversASignedJobCompleteEvent()
    {
        await using var server = await PipelineServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var meters = server.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var outcomes = new System.Collections.Concurrent.ConcurrentQueue<string?>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Name == "transaction_pipeline.webhook.deliveries")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => outcomes.Enqueue(tags[0].Value?.ToString()));
        listener.Start();
        var jobId = await server.SubmitSampleAsync();

        var secret = await RegisterAsync(server, jobId, receiver.Url, "JOB_COMPLETE");
        var delivery = await receiver.NextAsync();
        SpinWait.SpinUntil(() => !outcomes.IsEmpty, TimeSpan.FromSeconds(5));
        outcomes.Should().Equal("delivered");

        Verify(secret, delivery).Should().BeTrue();
        delivery.Id.Should().NotBeNullOrEmpty();
        long.Parse(delivery.Timestamp).Should().BeCloseTo(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 60);
        var body = JsonDocument.Parse(delivery.Body).RootElement;
        body.GetProperty("event_type").GetString().Should().Be("JOB_COMPLETE");
        body.GetProperty("job_id").GetString().Should().Be(jobId);
        body.GetProperty("status").GetString().Should().Be("JOB_COMPLETE");
    }

    [Fact]
    public async Task Register_ManyJobsDelivered_TheRegistryKeepsNoFinishedRegistration()
    {
        await using var server = await PipelineServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var registry = server.Services.GetRequiredService<WebhookRegistry>();

        for (var i = 0; i < 20; i++)
        {
            var jobId = await server.SubmitSampleAsync();
            await RegisterAsync(server, jobId, receiver.Url, "JOB_COMPLETE");
            JsonDocument.Parse((await receiver.NextAsync()).Body).RootElement.GetProperty("job_id").GetString().Should().Be(jobId);
        }

        using var timeout = new CancellationTokenSource(PipelineServer.Timeout);
        while (registry.Count > 0 && !timeout.IsCancellationRequested)
        {
            await Task.Delay(20, CancellationToken.None);
        }

        registry.Count.Should().Be(0, "a registration whose delivery finished is not kept in memory");
    }

    [Fact]
    public async Task Register_ReceiverFailsTwice_IsRetriedUntilDelivered()
    {
        await using var server = await PipelineServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 2);
        var jobId = await server.SubmitSampleAsync();

        var secret = await RegisterAsync(server, jobId, receiver.Url, "JOB_COMPLETE");
        var delivery = await receiver.NextAsync();

        receiver.Attempts.Should().Be(3);
        Verify(secret, delivery).Should().BeTrue();
    }

    [Fact]
    public async Task Register_AfterCompletion_StillDeliversEveryRequestedEventInOrder()
    {
        await using var server = await PipelineServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var jobId = await server.SubmitSampleAsync();
        await server.WaitForStatusAsync(jobId, "JOB_COMPLETE");

        var secret = await RegisterAsync(server, jobId, receiver.Url, "JOB_CREATED", "JOB_COMPLETE");
        var first = await receiver.NextAsync();
        var second = await receiver.NextAsync();

        JsonDocument.Parse(first.Body).RootElement.GetProperty("event_type").GetString().Should().Be("JOB_CREATED");
        JsonDocument.Parse(second.Body).RootElement.GetProperty("event_type").GetString().Should().Be("JOB_COMPLETE");
        Verify(secret, second).Should().BeTrue();
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/hook")]
    [InlineData("https://127.0.0.1:9/hook")]
    [InlineData("https://10.0.0.1/hook")]
    [InlineData("https://[::1]:9/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    public async Task Register_PrivateTargetWithoutOptIn_IsProblem400(string url)
    {
        await using var server = await PipelineServer.StartAsync(options => options.AllowPrivateWebhookTargets = false);
        var jobId = await server.SubmitSampleAsync();

        using var response = await server.Client.PostAsJsonAsync(
            "/api/jobs/webhooks/register/", new { job_id = jobId, webhook_url = url, events = new[] { "JOB_COMPLETE" } });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Deliver_HostResolvingToLoopbackWithoutOptIn_IsRefusedAtConnectTime()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var client = WebhookDeliveryService.CreateClient(new TransactionPipelineHttpOptions { AllowPrivateWebhookTargets = false });

        var send = () => client.PostAsync(new Uri($"https://localhost:{receiver.Url.Port}/hook"), new StringContent("{}"));

        (await send.Should().ThrowAsync<HttpRequestException>()).WithInnerException<WebhookTargetRefusedException>();
        receiver.Attempts.Should().Be(0);
    }

    [Fact]
    public void Deliver_Redirect_IsNotFollowed()
    {
        using var handler = WebhookDeliveryService.CreateHandler(new TransactionPipelineHttpOptions { AllowPrivateWebhookTargets = true });

        handler.AllowAutoRedirect.Should().BeFalse();
        handler.ConnectCallback.Should().NotBeNull();
    }

    [Theory]
    [InlineData("{\"job_id\": \"pipeline_19990101_999\", \"webhook_url\": \"http://127.0.0.1:9/\", \"events\": [\"JOB_COMPLETE\"]}", HttpStatusCode.NotFound)]
    [InlineData("{\"job_id\": \"{job}\", \"webhook_url\": \"not a url\", \"events\": [\"JOB_COMPLETE\"]}", HttpStatusCode.BadRequest)]
    [InlineData("{\"job_id\": \"{job}\", \"webhook_url\": \"ftp://127.0.0.1/\", \"events\": [\"JOB_COMPLETE\"]}", HttpStatusCode.BadRequest)]
    [InlineData("{\"job_id\": \"{job}\", \"webhook_url\": \"http://127.0.0.1:9/\", \"events\": [\"DONE\"]}", HttpStatusCode.BadRequest)]
    [InlineData("{\"job_id\": \"{job}\", \"webhook_url\": \"http://127.0.0.1:9/\", \"events\": []}", HttpStatusCode.BadRequest)]
    [InlineData("{\"job_id\": ", HttpStatusCode.BadRequest)]
    public async Task Register_InvalidRequest_IsProblem(string body, HttpStatusCode expected)
    {
        await using var server = await PipelineServer.StartAsync();
        var jobId = await server.SubmitSampleAsync();

        using var response = await server.Client.PostAsync(
            "/api/jobs/webhooks/register", new StringContent(body.Replace("{job}", jobId, StringComparison.Ordinal), Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(expected);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Register_ReceiverDownUntilHostRestarts_IsDeliveredByTheNextHost()
    {
        var database = Path.Combine(Path.GetTempPath(), $"txp-webhook-restart-{Guid.NewGuid():N}.db");
        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/hook");
        void Durable(ITransactionPipelineBuilder pipeline) => pipeline.UseSqlite($"Data Source={database}");
        void Patient(TransactionPipelineHttpOptions options) => options.WebhookMaxAttempts = 100;
        string jobId;
        string secret;
        await using (var first = await PipelineServer.StartAsync(Patient, Durable))
        {
            jobId = await first.SubmitSampleAsync();
            await first.WaitForStatusAsync(jobId, "JOB_COMPLETE");
            secret = await RegisterAsync(first, jobId, url, "JOB_COMPLETE");

            // Nothing listens on the port yet: the first host retries until it is stopped.
            await Task.Delay(300);
        }

        await using var receiver = await WebhookReceiver.StartAsync(port: port);
        await using var second = await PipelineServer.StartAsync(Patient, Durable);
        var delivery = await receiver.NextAsync();

        Verify(secret, delivery).Should().BeTrue();
        JsonDocument.Parse(delivery.Body).RootElement.GetProperty("job_id").GetString().Should().Be(jobId);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public void RetryDelay_GrowsExponentiallyWithJitterUpToTheCap()
    {
        var options = new TransactionPipelineHttpOptions
        {
            WebhookFirstRetryDelay = TimeSpan.FromSeconds(1),
            WebhookMaxRetryDelay = TimeSpan.FromSeconds(10),
        };
        using var services = new ServiceCollection().AddLogging().AddSingleton(Options.Create(options)).AddSingleton(TimeProvider.System)
            .AddSingleton<WebhookRegistry>().AddSingleton<IPipeline>(_ => null!).AddSingleton<WebhookDeliveryService>().BuildServiceProvider();
        var service = services.GetRequiredService<WebhookDeliveryService>();

        service.RetryDelay(1).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(500)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(1));
        service.RetryDelay(3).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(4));
        service.RetryDelay(20).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(5)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(10));
    }

    private static async Task<string> RegisterAsync(PipelineServer server, string jobId, Uri url, params string[] events)
    {
        using var response = await server.Client.PostAsJsonAsync(
            "/api/jobs/webhooks/register/", new { job_id = jobId, webhook_url = url.ToString(), events });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("id").GetString().Should().NotBeNullOrEmpty();
        var secret = body.GetProperty("secret").GetString()!;
        secret.Should().StartWith("whsec_");
        return secret;
    }

    /// <summary>The receiver's side of the Standard Webhooks scheme, written independently of the sender's code.</summary>
    private static bool Verify(string secret, WebhookReceiver.Delivery delivery)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{delivery.Id}.{delivery.Timestamp}.{delivery.Body}")));
        return delivery.Signature.Split(' ').Any(s => s == "v1," + expected);
    }
}
