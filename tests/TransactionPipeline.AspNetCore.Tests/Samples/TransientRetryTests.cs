using System.Net;
using HttpClientExample;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using TransactionPipeline.Client;

namespace TransactionPipeline.AspNetCore.Tests.Samples;

/// <summary>The example program's retry policy against a real Kestrel on 127.0.0.1.</summary>
public sealed class TransientRetryTests
{
    private const string StatusJson = """
        {"job_id":"pipeline_20261124_001","status":"IN_PROGRESS","current_stage":"import",
         "progress":{"transactions_imported":1,"bytes_read":10,"bytes_total":null,"aggregates_created":0,"offers_generated":0}}
        """;

    private static readonly TransientRetry Retry = new(maxAttempts: 4, firstDelay: TimeSpan.FromMilliseconds(10)) { Log = TextWriter.Null };

    [Fact]
    public async Task RunAsync_ServerAnswers503Twice_RetriesUntilStatusArrives()
    {
        var calls = 0;
        await using var app = await StartAsync(() => Interlocked.Increment(ref calls) <= 2
            ? Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable)
            : Results.Text(StatusJson, "application/json"));
        var client = new TransactionPipelineClient(new HttpClient { BaseAddress = PipelineServer.BoundAddress(app) });

        var status = await Retry.RunAsync("status", ct => client.GetStatusAsync("pipeline_20261124_001", ct), CancellationToken.None);

        status.Status.Should().Be("IN_PROGRESS");
        calls.Should().Be(3);
    }

    [Fact]
    public async Task RunAsync_UnknownJob_DoesNotRetry()
    {
        var calls = 0;
        await using var app = await StartAsync(() =>
        {
            Interlocked.Increment(ref calls);
            return Results.Problem(statusCode: StatusCodes.Status404NotFound);
        });
        var client = new TransactionPipelineClient(new HttpClient { BaseAddress = PipelineServer.BoundAddress(app) });

        var act = () => Retry.RunAsync("status", ct => client.GetStatusAsync("pipeline_20261124_001", ct), CancellationToken.None);

        (await act.Should().ThrowAsync<PipelineApiException>()).Which.StatusCode.Should().Be(HttpStatusCode.NotFound);
        calls.Should().Be(1);
    }

    [Fact]
    public async Task RunAsync_NothingListening_GivesUpAfterMaxAttemptsAndNeverReachedServer()
    {
        Uri closed;
        await using (var app = await StartAsync(() => Results.Ok()))
        {
            closed = PipelineServer.BoundAddress(app);
        }

        var client = new TransactionPipelineClient(new HttpClient { BaseAddress = closed });
        var attempts = 0;

        var act = () => Retry.RunAsync("status", ct =>
        {
            attempts++;
            return client.GetStatusAsync("pipeline_20261124_001", ct);
        }, CancellationToken.None);

        var thrown = await act.Should().ThrowAsync<HttpRequestException>();
        attempts.Should().Be(4);
        TransientRetry.NeverReachedServer(thrown.Which).Should().BeTrue("a submit may be resent only when no connection was made");
    }

    [Fact]
    public void NeverReachedServer_ServerAnswered5xx_IsFalse()
    {
        var answered = new PipelineApiException(HttpStatusCode.InternalServerError, "Import failed.", null, default);

        TransientRetry.IsTransient(answered, CancellationToken.None).Should().BeTrue();
        TransientRetry.NeverReachedServer(answered).Should().BeFalse("the server may have created a job for that body");
    }

    [Theory]
    [InlineData(1, 500)]
    [InlineData(2, 1_000)]
    [InlineData(4, 4_000)]
    [InlineData(6, 10_000)]
    [InlineData(40, 10_000)]
    public void Delay_Attempt_DoublesUpToTheCap(int attempt, int expectedMilliseconds) =>
        new TransientRetry().Delay(attempt).Should().Be(TimeSpan.FromMilliseconds(expectedMilliseconds));

    private static async Task<WebApplication> StartAsync(Func<IResult> status)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.MapGet("/api/jobs/{jobId}/status/", (string jobId) => status());
        await app.StartAsync();
        return app;
    }
}
