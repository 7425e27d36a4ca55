using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TransactionPipeline.AspNetCore.Http;

namespace TransactionPipeline.AspNetCore.Tests.Http;

public sealed class SubmitEndpointTests
{
    [Fact]
    public async Task Submit_ClientGoneMidUpload_LeavesAFailedJobWithoutOffers()
    {
        await using var server = await PipelineServer.StartAsync();
        var jobId = $"pipeline_{DateTime.UtcNow:yyyyMMdd}_001";
        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync(server.Client.BaseAddress!.Host, server.Client.BaseAddress.Port);
            var stream = socket.GetStream();
            var head = "POST /api/financial-transactions/process-transactions/ HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
                + """{"data": [{"amount": 1.00, "date": "2024-01-15", "is_revenue": true, "description": "a"},""";
            await stream.WriteAsync(Encoding.UTF8.GetBytes(head));
            await stream.FlushAsync();
            await server.WaitForStatusAsync(jobId, "IN_PROGRESS");
        }

        var status = await server.WaitForStatusAsync(jobId, "FAILED", "JOB_COMPLETE");

        status.GetProperty("status").GetString().Should().Be("FAILED");
        status.GetProperty("error").GetProperty("message").GetString().Should().NotBeNullOrEmpty();
        using var offers = await server.Client.GetAsync($"/api/jobs/{jobId}/offers/");
        offers.StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Submit_ClientGoneMidUpload_FailsAsClientDisconnectedWithTheBytesItHadReadEveryTime(bool reset)
    {
        // Small batches, so the job reports rows (and so has read bytes) before the client goes.
        await using var server = await PipelineServer.StartAsync(
            pipeline: p => p.Services.Configure<TransactionPipelineOptions>(o => o.ImportBatchSize = 500));
        var items = string.Join(",", Enumerable.Range(0, 3_000).Select(i => $$"""{"amount": 1.{{i % 100:D2}}, "date": "2024-01-15", "is_revenue": true, "description": "item {{i}}"}"""));
        var prefix = Encoding.UTF8.GetBytes("""{"data": [""" + items + ",");
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var jobId = $"pipeline_{DateTime.UtcNow:yyyyMMdd}_{attempt:D3}";
            using (var socket = new TcpClient())
            {
                await socket.ConnectAsync(server.Client.BaseAddress!.Host, server.Client.BaseAddress.Port);
                var stream = socket.GetStream();
                var head = "POST /api/financial-transactions/process-transactions/ HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                await stream.WriteAsync(prefix);
                await stream.FlushAsync();
                var waiting = await TransactionPipeline.Tests.Shared.Polling.WaitUntilAsync(
                    () => server.WaitForStatusAsync(jobId, "IN_PROGRESS"),
                    status => status.GetProperty("progress").GetProperty("transactions_imported").GetInt64() == 3_000,
                    PipelineServer.Timeout);
                waiting.GetProperty("progress").GetProperty("transactions_imported").GetInt64()
                    .Should().Be(3_000, "while the body stalls, the status shows every row already stored");
                if (reset)
                {
                    socket.Client.LingerState = new LingerOption(true, 0);
                }
            }

            var status = await server.WaitForStatusAsync(jobId, "FAILED", "JOB_COMPLETE");

            status.GetProperty("status").GetString().Should().Be("FAILED");
            var error = status.GetProperty("error");
            error.GetProperty("kind").GetString().Should().Be("client_disconnected", $"attempt {attempt}: {error}");
            var progress = status.GetProperty("progress");
            progress.GetProperty("bytes_read").GetInt64().Should().BeGreaterThan(0, "the bytes that arrived are counted");
            error.GetProperty("message").GetString().Should().Contain("client");
        }
    }

    [Fact]
    public async Task Submit_BodyLargerThanKestrelsDefaultLimit_IsAccepted()
    {
        await using var server = await PipelineServer.StartAsync();
        var body = new StringBuilder("""{"data": [""");
        var item = """{"amount": 10.25, "date": "2024-01-15", "is_revenue": true, "description": "padding padding padding padding padding padding"},""";
        while (body.Length < 31 * 1024 * 1024)
        {
            body.Append(item);
        }

        body.Length--;
        body.Append("]}");

        using var response = await server.SubmitAsync(body.ToString());

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        accepted.GetProperty("import_throughput").GetProperty("bytes_read").GetInt64().Should().BeGreaterThan(30_000_000);
    }

    [Theory]
    [InlineData(0.01, "less than a second")]
    [InlineData(10, "0-5 seconds")]
    [InlineData(100, "5-50 seconds")]
    [InlineData(1_000, "0-9 minutes")]
    public void Estimate_ImportDuration_ScalesWithIt(double importSeconds, string expected) =>
        SubmitEndpoint.Estimate(TimeSpan.FromSeconds(importSeconds)).Text.Should().Be(expected);

    [Fact]
    public void Estimate_Seconds_IsTheUpperBound() =>
        SubmitEndpoint.Estimate(TimeSpan.FromSeconds(100)).Seconds.Should().Be(50);
}
