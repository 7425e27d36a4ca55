using System.Net;

namespace TransactionPipeline.AspNetCore.Tests.Http;

public sealed class JobEventStreamHeartbeatTests
{
    [Fact]
    public async Task Events_JobQuietForAWhile_SendsKeepAliveCommentsThenTheRestOfTheStream()
    {
        await using var server = await PipelineServer.StartAsync(
            options => options.EventStreamHeartbeat = TimeSpan.FromMilliseconds(20),
            pipeline => pipeline.UseCreditModel<GatedCreditModel>());
        var jobId = await server.SubmitSampleAsync();
        using var timeout = new CancellationTokenSource(PipelineServer.Timeout);
        using var response = await server.Client.GetAsync($"/api/jobs/{jobId}/events/", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var heartbeats = 0;
        var lines = new List<string>();
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            lines.Add(line);
            if (line == ": keep-alive" && ++heartbeats == 3)
            {
                GatedCreditModel.Release();
            }
        }

        heartbeats.Should().BeGreaterThanOrEqualTo(3);
        lines.Should().Contain("event: JOB_COMPLETE");
        lines.Where(l => l.Length > 0).Last().Should().StartWith("data: ").And.Contain("\"event_type\":\"JOB_COMPLETE\"");
    }

    /// <summary>A credit model that holds the job in its credit model stage until the test lets it go.</summary>
    private sealed class GatedCreditModel : ICreditModel
    {
        private static readonly TaskCompletionSource Gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static void Release() => Gate.TrySetResult();

        public async ValueTask<IReadOnlyList<CreditAssessment>> ScoreAsync(CreditModelContext context, CancellationToken cancellationToken)
        {
            await Gate.Task.WaitAsync(cancellationToken);
            return [.. context.Aggregates.Select(a => new CreditAssessment(a.Date, 700, RiskLevel.Low, []))];
        }
    }
}
