using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.AspNetCore.Tests.Http;

/// <summary>With an <see cref="IJobTenantProvider"/>, over real Kestrel: every route refuses another tenant's job as unknown.</summary>
public sealed class TenantIsolationTests
{
    private const string Submit = "/api/financial-transactions/process-transactions/";

    [Fact]
    public async Task EveryRoute_JobOfAnotherTenant_404_AndTheOwnerSeesIt()
    {
        await using var server = await PipelineServer.StartAsync(pipeline: p => p.Services.AddSingleton<IJobTenantProvider, HeaderTenant>());
        var aliceJob = await SubmitAsync(server, "alice", SeedSample.Request);
        var bobJob = await SubmitAsync(server, "bob", SeedSample.Request);
        await WaitForAsync(server, "alice", aliceJob, "JOB_COMPLETE");

        foreach (var (method, path) in JobRoutes(aliceJob))
        {
            using var asBob = await SendAsync(server, "bob", method, path);
            using var asNobody = await SendAsync(server, null, method, path);
            asBob.StatusCode.Should().Be(HttpStatusCode.NotFound, $"{method} {path} for another tenant");
            (await asBob.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString().Should().Be("Job not found.");
            asNobody.StatusCode.Should().Be(HttpStatusCode.NotFound, $"{method} {path} for a caller without a tenant");
        }

        using var bobRegisters = await SendAsync(server, "bob", HttpMethod.Post, "/api/jobs/webhooks/register/",
            JsonContent.Create(new { job_id = aliceJob, webhook_url = "http://127.0.0.1:9/hook", events = new[] { "JOB_COMPLETE" } }));
        bobRegisters.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await ListAsync(server, "bob")).Should().Equal(bobJob);
        (await ListAsync(server, "alice")).Should().Equal(aliceJob);
        (await ListAsync(server, null)).Should().BeEmpty();

        using var aliceStatus = await SendAsync(server, "alice", HttpMethod.Get, $"/api/jobs/{aliceJob}/status/");
        using var aliceOffers = await SendAsync(server, "alice", HttpMethod.Get, $"/api/jobs/{aliceJob}/offers/");
        using var aliceEvents = await SendAsync(server, "alice", HttpMethod.Get, $"/api/jobs/{aliceJob}/events/");
        using var aliceRegisters = await SendAsync(server, "alice", HttpMethod.Post, "/api/jobs/webhooks/register/",
            JsonContent.Create(new { job_id = aliceJob, webhook_url = "http://127.0.0.1:9/hook", events = new[] { "JOB_COMPLETE" } }));
        aliceStatus.StatusCode.Should().Be(HttpStatusCode.OK);
        aliceOffers.StatusCode.Should().Be(HttpStatusCode.OK);
        aliceEvents.StatusCode.Should().Be(HttpStatusCode.OK);
        (await aliceEvents.Content.ReadAsStringAsync()).Should().Contain("JOB_COMPLETE");
        aliceRegisters.StatusCode.Should().Be(HttpStatusCode.Created);
        using var aliceDeletes = await SendAsync(server, "alice", HttpMethod.Delete, $"/api/jobs/{aliceJob}/");
        aliceDeletes.StatusCode.Should().Be(HttpStatusCode.NoContent, "bob's deletes above changed nothing");
    }

    [Fact]
    public async Task Cancel_RunningJobOfAnotherTenant_404AndTheJobRunsOn()
    {
        await using var server = await PipelineServer.StartAsync(pipeline: p => p.Services.AddSingleton<IJobTenantProvider, HeaderTenant>());
        var items = Enumerable.Range(0, 5_000)
            .Select(i => $$"""{"amount": {{i % 90 + 10}}.00, "date": "2024-01-{{i % 28 + 1:00}}", "is_revenue": true, "description": "item {{i}}"}""");
        var body = Encoding.UTF8.GetBytes($$"""{"data": [{{string.Join(", ", items)}}]}""");
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var paused = new StreamContent(new StallingStream(new MemoryStream(body), body.Length / 2, resume.Task));
        paused.Headers.ContentType = new("application/json");
        var upload = SendAsync(server, "alice", HttpMethod.Post, Submit, paused);
        var jobId = (await Polling.WaitUntilAsync(() => ListAsync(server, "alice"), ids => ids.Count == 1, PipelineServer.Timeout))[0];

        using var bobCancels = await SendAsync(server, "bob", HttpMethod.Delete, $"/api/jobs/{jobId}/");
        resume.SetResult();
        using var uploaded = await upload;
        var done = await WaitForAsync(server, "alice", jobId, "JOB_COMPLETE", "FAILED");

        bobCancels.StatusCode.Should().Be(HttpStatusCode.NotFound);
        uploaded.StatusCode.Should().Be(HttpStatusCode.Accepted, await uploaded.Content.ReadAsStringAsync());
        done.GetProperty("status").GetString().Should().Be("JOB_COMPLETE");
    }

    [Fact]
    public async Task IdempotencyKey_SameKeyForTwoTenants_TwoJobs()
    {
        await using var server = await PipelineServer.StartAsync(pipeline: p => p.Services.AddSingleton<IJobTenantProvider, HeaderTenant>());

        var alice = await SubmitAsync(server, "alice", SeedSample.Request, key: "\"monthly\"");
        var bob = await SubmitAsync(server, "bob", SeedSample.Request, key: "\"monthly\"");
        var aliceAgain = await SubmitAsync(server, "alice", SeedSample.Request, key: "\"monthly\"");

        bob.Should().NotBe(alice, "keys are per tenant");
        aliceAgain.Should().Be(alice);
    }

    private static IEnumerable<(HttpMethod Method, string Path)> JobRoutes(string jobId) =>
    [
        (HttpMethod.Get, $"/api/jobs/{jobId}/status/"),
        (HttpMethod.Get, $"/api/jobs/{jobId}/offers/"),
        (HttpMethod.Get, $"/api/jobs/{jobId}/events/"),
        (HttpMethod.Delete, $"/api/jobs/{jobId}/"),
    ];

    private static async Task<HttpResponseMessage> SendAsync(PipelineServer server, string? tenant, HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (tenant is not null)
        {
            request.Headers.Add(HeaderTenant.Header, tenant);
        }

        return await server.Client.SendAsync(request);
    }

    private static async Task<string> SubmitAsync(PipelineServer server, string tenant, string body, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Submit) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(HeaderTenant.Header, tenant);
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        using var response = await server.Client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;
    }

    private static async Task<IReadOnlyList<string>> ListAsync(PipelineServer server, string? tenant)
    {
        using var response = await SendAsync(server, tenant, HttpMethod.Get, "/api/jobs/");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("job_id").GetString()!)];
    }

    private static async Task<JsonElement> WaitForAsync(PipelineServer server, string tenant, string jobId, params string[] states) =>
        await Polling.WaitUntilAsync(
            async () =>
            {
                using var response = await SendAsync(server, tenant, HttpMethod.Get, $"/api/jobs/{jobId}/status/");
                return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
            },
            status => status.ValueKind == JsonValueKind.Object && states.Contains(status.GetProperty("status").GetString()),
            PipelineServer.Timeout);

    /// <summary>The tenant named by a request header: what a host would read from an authenticated user's claim.</summary>
    private sealed class HeaderTenant : IJobTenantProvider
    {
        public const string Header = "X-Test-Tenant";

        public ValueTask<string?> GetTenantAsync(HttpContext context) =>
            ValueTask.FromResult<string?>(context.Request.Headers[Header].ToString() is { Length: > 0 } tenant ? tenant : null);
    }
}
