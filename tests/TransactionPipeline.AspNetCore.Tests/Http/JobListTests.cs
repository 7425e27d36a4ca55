using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TransactionPipeline.Client;

namespace TransactionPipeline.AspNetCore.Tests.Http;

/// <summary><c>GET /api/jobs/</c>: jobs newest first, filtered, a page at a time; and the typed client's listing.</summary>
public sealed class JobListTests
{
    private const string BadBody = """{"data": [{"amount": "1.001", "date": "2024-01-15", "is_revenue": true, "description": "x"}]}""";

    [Fact]
    public async Task List_ThreeCompleteAndTwoFailedJobs_PagesNewestFirstAndFiltersByStatus()
    {
        await using var server = await PipelineServer.StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            if (i % 2 == 1)
            {
                using var bad = await server.SubmitAsync(BadBody);
                bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
                ids.Add((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!);
            }
            else
            {
                var id = await server.SubmitSampleAsync();
                await server.WaitForStatusAsync(id, "JOB_COMPLETE");
                ids.Add(id);
            }
        }

        var first = await GetAsync(server, "/api/jobs/?limit=2");
        var second = await GetAsync(server, $"/api/jobs/?limit=2&cursor={Uri.EscapeDataString(first.GetProperty("next_cursor").GetString()!)}");
        var third = await GetAsync(server, $"/api/jobs/?limit=2&cursor={Uri.EscapeDataString(second.GetProperty("next_cursor").GetString()!)}");
        var failed = await GetAsync(server, "/api/jobs/?status=FAILED");

        Ids(first).Concat(Ids(second)).Concat(Ids(third)).Should().Equal(Enumerable.Reverse(ids), "newest first, each job once");
        third.GetProperty("next_cursor").ValueKind.Should().Be(JsonValueKind.Null, "the last page has no next");
        Ids(failed).Should().Equal(ids[3], ids[1]);
        failed.GetProperty("jobs")[0].GetProperty("error").GetProperty("kind").GetString().Should().Be("invalid_input");
        first.GetProperty("jobs")[0].GetProperty("progress").GetProperty("transactions_imported").GetInt64().Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task List_CreatedAfterTheLastJob_IsEmpty()
    {
        await using var server = await PipelineServer.StartAsync();
        var id = await server.SubmitSampleAsync();
        await server.WaitForStatusAsync(id, "JOB_COMPLETE");
        var created = (await GetAsync(server, "/api/jobs/")).GetProperty("jobs")[0].GetProperty("created_at").GetDateTimeOffset();

        var after = await GetAsync(server, $"/api/jobs/?created_after={Uri.EscapeDataString(created.ToString("O"))}");
        var before = await GetAsync(server, $"/api/jobs/?created_after={Uri.EscapeDataString(created.AddSeconds(-1).ToString("O"))}");

        Ids(after).Should().BeEmpty();
        Ids(before).Should().Equal(id);
    }

    [Theory]
    [InlineData("status=DONE", "Unknown status.")]
    [InlineData("limit=0", "Invalid limit.")]
    [InlineData("limit=501", "Invalid limit.")]
    [InlineData("created_after=yesterday", "Invalid created_after.")]
    [InlineData("cursor=not-a-cursor", "Invalid cursor.")]
    public async Task List_BadQuery_Answers400NamingTheParameter(string query, string title)
    {
        await using var server = await PipelineServer.StartAsync();

        using var response = await server.Client.GetAsync($"/api/jobs/?{query}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString().Should().Be(title);
    }

    [Fact]
    public async Task ClientListJobsAsync_MorePagesThanOne_YieldsEveryJobNewestFirst()
    {
        await using var server = await PipelineServer.StartAsync();
        var client = new TransactionPipelineClient(server.Client);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await server.SubmitSampleAsync());
        }

        var listed = new List<string>();
        await foreach (var job in client.ListJobsAsync(pageSize: 2))
        {
            listed.Add(job.JobId);
        }

        listed.Should().Equal(Enumerable.Reverse(ids));
        var error = await FluentActions.Awaiting(async () => await client.ListJobsAsync(status: "DONE").ToListAsync())
            .Should().ThrowAsync<PipelineApiException>();
        error.Which.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    private static async Task<JsonElement> GetAsync(PipelineServer server, string path)
    {
        using var response = await server.Client.GetAsync(path);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<string> Ids(JsonElement page) =>
        [.. page.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("job_id").GetString()!)];
}
