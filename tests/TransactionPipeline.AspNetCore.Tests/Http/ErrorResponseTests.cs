using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TransactionPipeline.AspNetCore.Tests.Http;

/// <summary>Every failure of the API answers application/problem+json, whatever the route or the cause.</summary>
public sealed class ErrorResponseTests
{
    [Theory]
    [InlineData("/api/jobs/../status/")]
    [InlineData("/api/jobs/%2e%2e/status/")]
    [InlineData("/api/no/such/route")]
    [InlineData("/api/jobs/pipeline_20240101_001/status/extra")]
    public async Task AnyMethod_PathUnderTheApiThatIsNoRoute_AnswersProblem404(string path)
    {
        await using var server = await PipelineServer.StartAsync();

        // Sent as written: HttpClient would remove the dot segments itself before sending.
        var (status, contentType, body) = await SendRawAsync(server, $"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        status.Should().Be(404);
        contentType.Should().StartWith("application/problem+json");
        using var problem = JsonDocument.Parse(body);
        problem.RootElement.GetProperty("status").GetInt32().Should().Be(404);
        problem.RootElement.GetProperty("detail").GetString().Should().Contain("is not a route");
    }

    [Fact]
    public async Task GetStatus_StoreCannotBeOpened_AnswersProblem503WithTheJobId()
    {
        var folder = Directory.CreateTempSubdirectory("txp-store-gone-").FullName;
        await using var server = await PipelineServer.StartAsync(pipeline: p => p.UseSqlite($"Data Source={Path.Combine(folder, "jobs.db")}"));
        var jobId = await server.SubmitSampleAsync();
        await server.WaitForStatusAsync(jobId, "JOB_COMPLETE");

        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        using var response = await server.Client.GetAsync($"/api/jobs/{jobId}/status/");

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("job_id").GetString().Should().Be(jobId);
        problem.RootElement.GetProperty("error_kind").GetString().Should().Be("store_unavailable");
    }

    private static async Task<(int Status, string ContentType, string Body)> SendRawAsync(PipelineServer server, string request)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(server.Client.BaseAddress!.Host, server.Client.BaseAddress.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        var head = text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var status = int.Parse(head.Split(' ')[1]);
        var contentType = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?["Content-Type:".Length..].Trim() ?? "";
        var body = text[(head.Length + 4)..];
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Unchunk(body);
        }

        return (status, contentType, body);
    }

    private static string Unchunk(string chunked)
    {
        var result = new StringBuilder();
        var at = 0;
        while (true)
        {
            var line = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[at..line], 16);
            if (size == 0)
            {
                return result.ToString();
            }

            result.Append(chunked, line + 2, size);
            at = line + 2 + size + 2;
        }
    }
}

/// <summary>A host whose store is away when it starts: it starts, answers problems meanwhile, and works once the store is there.</summary>
public sealed class StoreAwayAtStartTests
{
    [Fact]
    public async Task StartAsync_StoreCannotBeOpenedYet_HostStartsAnswers503AndWorksOnceTheStoreIsThere()
    {
        var parent = Directory.CreateTempSubdirectory("txp-store-late-").FullName;
        var folder = Path.Combine(parent, "not-yet");

        await using var server = await PipelineServer.StartAsync(pipeline: p => p.UseSqlite($"Data Source={Path.Combine(folder, "jobs.db")}"));
        using (var early = await server.SubmitAsync(SeedSample.Request))
        {
            early.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, await early.Content.ReadAsStringAsync());
            early.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        }

        using (var health = await server.Client.GetAsync("/healthz"))
        {
            health.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            (await health.Content.ReadAsStringAsync()).Should().Be("Unhealthy");
        }

        Directory.CreateDirectory(folder);
        using (var health = await server.Client.GetAsync("/healthz"))
        {
            health.StatusCode.Should().Be(HttpStatusCode.OK, "the check sees the store as soon as it answers");
        }

        var jobId = await server.SubmitSampleAsync();
        var done = await server.WaitForStatusAsync(jobId, "JOB_COMPLETE", "FAILED");

        done.GetProperty("status").GetString().Should().Be("JOB_COMPLETE");
        server.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested
            .Should().BeFalse("a store that is away at start delays the work, it does not stop the host");
        Directory.Delete(parent, recursive: true);
    }
}
