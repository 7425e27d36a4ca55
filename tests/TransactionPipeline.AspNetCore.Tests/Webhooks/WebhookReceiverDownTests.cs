using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace TransactionPipeline.AspNetCore.Tests.Webhooks;

/// <summary>A receiver that is down for minutes: with the default retry options it still gets every event, each once.</summary>
public sealed class WebhookReceiverDownTests
{
    [Fact]
    public async Task Deliver_ReceiverDownForTenMinutesOfSimulatedTime_ThenGetsEveryEventExactlyOnce()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await PipelineServer.StartAsync(
            options =>
            {
                // The defaults a user gets, but for the forgery guard: the receiver is on this machine.
                options.WebhookFirstRetryDelay = TimeSpan.FromSeconds(1);
                options.WebhookMaxRetryDelay = TimeSpan.FromMinutes(10);
                options.WebhookMaxAttempts = new TransactionPipelineHttpOptions().WebhookMaxAttempts;
            },
            pipeline => pipeline.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        var jobId = await server.SubmitSampleAsync();
        var done = await server.WaitForStatusAsync(jobId, "JOB_COMPLETE");
        done.GetProperty("status").GetString().Should().Be("JOB_COMPLETE");
        string[] events = ["JOB_CREATED", "IMPORT_STARTED", "IMPORT_COMPLETED", "AGGREGATION_COMPLETED", "CREDIT_MODEL_COMPLETED", "OFFERS_GENERATED", "JOB_COMPLETE"];
        var port = FreePort();

        using (var registered = await server.Client.PostAsJsonAsync(
            "/api/jobs/webhooks/register/", new { job_id = jobId, webhook_url = $"http://127.0.0.1:{port}/hook", events }))
        {
            registered.StatusCode.Should().Be(HttpStatusCode.Created, await registered.Content.ReadAsStringAsync());
        }

        // Ten minutes of simulated time with nothing listening: every attempt is refused.
        await AdvanceAsync(clock, TimeSpan.FromMinutes(10));
        await using var receiver = await WebhookReceiver.StartAsync(port: port);
        var received = new List<WebhookReceiver.Delivery>();
        for (var step = 0; step < 200 && received.Count < events.Length; step++)
        {
            await AdvanceAsync(clock, TimeSpan.FromMinutes(1));
            received.AddRange(receiver.TakeAll());
        }

        // A little more time: nothing more arrives, so no event came twice.
        await AdvanceAsync(clock, TimeSpan.FromMinutes(30));
        received.AddRange(receiver.TakeAll());
        received.Select(d => JsonDocument.Parse(d.Body).RootElement.GetProperty("event_type").GetString()).Should().Equal(events);
        received.Select(d => d.Id).Should().OnlyHaveUniqueItems();
    }

    private static async Task AdvanceAsync(FakeTimeProvider clock, TimeSpan by)
    {
        // In steps, with real pauses, so each retry's continuation runs and sets its next timer before time moves on.
        var step = TimeSpan.FromSeconds(5);
        for (var passed = TimeSpan.Zero; passed < by; passed += step)
        {
            clock.Advance(step);
            await Task.Delay(2);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
