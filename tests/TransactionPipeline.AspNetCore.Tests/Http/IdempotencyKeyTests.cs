using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.AspNetCore.Tests.Http;

/// <summary>The submit route's <c>Idempotency-Key</c> over real Kestrel: a retried upload answers the job it already made.</summary>
public sealed class IdempotencyKeyTests
{
    private const string Route = "/api/financial-transactions/process-transactions/";

    /// <summary>A body large enough that an upload paused halfway has begun its import.</summary>
    private static readonly byte[] LargeBody = Encoding.UTF8.GetBytes(
        $$"""{"data": [{{string.Join(", ", Enumerable.Range(0, 5_000).Select(i => $$"""{"amount": {{i % 90 + 10}}.00, "date": "2024-01-{{i % 28 + 1:00}}", "is_revenue": true, "description": "item {{i}}"}"""))}}]}""");

    private static readonly string OtherBody = SeedSample.Request.Replace("1500.00", "1499.00", StringComparison.Ordinal);

    [Fact]
    public async Task Submit_SameKeyAndBodyTwice_SecondAnswersTheFirstJobAndNoSecondJobExists()
    {
        await using var server = await PipelineServer.StartAsync();

        using var first = await PostAsync(server, "\"retry-7f3a\"", SeedSample.Request);
        var firstJob = await JobIdAsync(first);
        await server.WaitForStatusAsync(firstJob, "JOB_COMPLETE");
        using var retry = await PostAsync(server, "\"retry-7f3a\"", SeedSample.Request);

        retry.StatusCode.Should().Be(HttpStatusCode.Accepted, await retry.Content.ReadAsStringAsync());
        var replayed = await retry.Content.ReadFromJsonAsync<JsonElement>();
        replayed.GetProperty("job_id").GetString().Should().Be(firstJob);
        replayed.GetProperty("status").GetString().Should().Be("JOB_COMPLETE");
        retry.Headers.GetValues("Idempotent-Replayed").Should().Equal("true");
        first.Headers.Contains("Idempotent-Replayed").Should().BeFalse();
        (await ListJobIdsAsync(server)).Should().Equal(firstJob);
    }

    [Fact]
    public async Task Submit_SameKeyWithAnotherBody_422NamingTheKeysJob()
    {
        await using var server = await PipelineServer.StartAsync();
        using var first = await PostAsync(server, "\"invoice-2024-01\"", SeedSample.Request);
        var firstJob = await JobIdAsync(first);

        using var other = await PostAsync(server, "\"invoice-2024-01\"", OtherBody);
        using var otherKey = await PostAsync(server, "\"invoice-2024-02\"", OtherBody);

        other.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        var problem = await other.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("job_id").GetString().Should().Be(firstJob);
        problem.GetProperty("idempotency_key").GetString().Should().Be("invoice-2024-01");
        otherKey.StatusCode.Should().Be(HttpStatusCode.Accepted, "another key is another job");
        (await ListJobIdsAsync(server)).Should().HaveCount(2);
    }

    [Fact]
    public async Task Submit_SameKeyWhileTheFirstUploadIsStillRunning_409ThenTheRetryAfterItAnswersTheFirstJob()
    {
        await using var server = await PipelineServer.StartAsync();
        var body = LargeBody;
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var paused = new StreamContent(new StallingStream(new MemoryStream(body), body.Length / 2, resume.Task));
        paused.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Route) { Content = paused };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "\"upload-42\"");
        var firstUpload = server.Client.SendAsync(request);
        var running = await Polling.WaitUntilAsync(() => ListJobIdsAsync(server), ids => ids.Count == 1, PipelineServer.Timeout);

        using var whileRunning = await PostAsync(server, "\"upload-42\"", Encoding.UTF8.GetString(LargeBody));
        resume.SetResult();
        using var first = await firstUpload;
        using var afterwards = await PostAsync(server, "\"upload-42\"", Encoding.UTF8.GetString(LargeBody));

        whileRunning.StatusCode.Should().Be(HttpStatusCode.Conflict, await whileRunning.Content.ReadAsStringAsync());
        (await whileRunning.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString().Should().Be(running[0]);
        first.StatusCode.Should().Be(HttpStatusCode.Accepted, await first.Content.ReadAsStringAsync());
        (await JobIdAsync(first)).Should().Be(running[0]);
        afterwards.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await JobIdAsync(afterwards)).Should().Be(running[0]);
        (await ListJobIdsAsync(server)).Should().Equal(running[0]);
    }

    [Fact]
    public async Task Submit_FirstUploadDroppedMidBody_RetryWithTheSameKeyImportsItAgain()
    {
        await using var server = await PipelineServer.StartAsync();
        var body = LargeBody;
        using var stalled = new StreamContent(new StallingStream(new MemoryStream(body), body.Length / 2));
        stalled.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Route) { Content = stalled };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "\"flaky-network\"");
        using var drop = new CancellationTokenSource();
        var dropped = server.Client.SendAsync(request, drop.Token);
        var firstJob = (await Polling.WaitUntilAsync(() => ListJobIdsAsync(server), ids => ids.Count == 1, PipelineServer.Timeout))[0];
        await drop.CancelAsync();
        await FluentActions.Awaiting(() => dropped).Should().ThrowAsync<OperationCanceledException>();
        var failed = await server.WaitForStatusAsync(firstJob, "FAILED");

        using var retry = await PostAsync(server, "\"flaky-network\"", Encoding.UTF8.GetString(LargeBody));

        failed.GetProperty("error").GetProperty("kind").GetString().Should().Be("client_disconnected");
        retry.StatusCode.Should().Be(HttpStatusCode.Accepted, await retry.Content.ReadAsStringAsync());
        var retried = await JobIdAsync(retry);
        retried.Should().NotBe(firstJob, "a failed upload binds no key");
        (await server.WaitForStatusAsync(retried, "JOB_COMPLETE", "FAILED")).GetProperty("status").GetString().Should().Be("JOB_COMPLETE");
        using var replay = await PostAsync(server, "\"flaky-network\"", Encoding.UTF8.GetString(LargeBody));
        (await JobIdAsync(replay)).Should().Be(retried);
    }

    [Fact]
    public async Task Submit_SameKeyAfterItsLifetime_StartsANewJob()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await PipelineServer.StartAsync(pipeline: pipeline =>
        {
            pipeline.Services.Configure<TransactionPipelineOptions>(o => o.Retention.IdempotencyKeys = TimeSpan.FromHours(1));
            pipeline.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
        });
        using var first = await PostAsync(server, "nightly-export", SeedSample.Request);
        var firstJob = await JobIdAsync(first);

        clock.Advance(TimeSpan.FromMinutes(59));
        using var withinLifetime = await PostAsync(server, "nightly-export", SeedSample.Request);
        clock.Advance(TimeSpan.FromMinutes(2));
        using var afterLifetime = await PostAsync(server, "nightly-export", OtherBody);

        (await JobIdAsync(withinLifetime)).Should().Be(firstJob);
        afterLifetime.StatusCode.Should().Be(HttpStatusCode.Accepted, await afterLifetime.Content.ReadAsStringAsync());
        (await JobIdAsync(afterLifetime)).Should().NotBe(firstJob);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"line\tbreak\"")]
    public async Task Submit_InvalidKey_400AndNoJob(string key)
    {
        await using var server = await PipelineServer.StartAsync();

        using var response = await PostAsync(server, key, SeedSample.Request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString().Should().Be("Invalid Idempotency-Key header.");
        (await ListJobIdsAsync(server)).Should().BeEmpty();
    }

    private static async Task<HttpResponseMessage> PostAsync(PipelineServer server, string key, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Route) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return await server.Client.SendAsync(request);
    }

    private static async Task<string> JobIdAsync(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;
    }

    private static async Task<IReadOnlyList<string>> ListJobIdsAsync(PipelineServer server) =>
        [.. (await server.Client.GetFromJsonAsync<JsonElement>("/api/jobs/")).GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("job_id").GetString()!)];
}
