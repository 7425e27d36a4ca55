using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TransactionPipeline.Client;
using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.AspNetCore.Tests.Http;

/// <summary><c>DELETE /api/jobs/{job_id}/</c> over real Kestrel: a cancel sent to another host than the one importing, and deletes of finished jobs.</summary>
public sealed class CancelJobTests
{
    [Fact]
    public async Task Delete_OnHostBForAnUploadImportingOnHostA_JobFailsCancelledNamingTheCallerAndLeavesNoRows()
    {
        var database = Path.Combine(Directory.CreateTempSubdirectory("txp-cancel-").FullName, "jobs.db");
        await using var hostA = await PipelineServer.StartAsync(pipeline: p => p.UseSqlite($"Data Source={database}"));
        await using var hostB = await PipelineServer.StartAsync(pipeline: p => p.UseSqlite($"Data Source={database}"));
        var items = Enumerable.Range(0, 5_000)
            .Select(i => $$"""{"amount": {{i % 90 + 10}}.00, "date": "2024-01-{{i % 28 + 1:00}}", "is_revenue": true, "description": "item {{i}}"}""");
        var body = Encoding.UTF8.GetBytes($$"""{"data": [{{string.Join(", ", items)}}]}""");
        using var upload = new StreamContent(new StallingStream(new MemoryStream(body), body.Length / 2));
        upload.Headers.ContentType = new("application/json");
        using var stopUpload = new CancellationTokenSource();
        var submit = hostA.Client.PostAsync("/api/financial-transactions/process-transactions/", upload, stopUpload.Token);

        var jobId = await Polling.WaitUntilAsync(
            async () => (await hostB.Client.GetFromJsonAsync<JsonElement>("/api/jobs/?status=IN_PROGRESS")).GetProperty("jobs") is { } jobs
                && jobs.GetArrayLength() > 0 ? jobs[0].GetProperty("job_id").GetString() : null,
            id => id is not null,
            PipelineServer.Timeout);
        using var cancel = await hostB.Client.DeleteAsync($"/api/jobs/{jobId}/");
        var failed = await hostB.WaitForStatusAsync(jobId!, "FAILED", "JOB_COMPLETE");
        // The client is still sending its stalled body; it gives up here, after the server has ended the job.
        await stopUpload.CancelAsync();
        await FluentActions.Awaiting(() => submit).Should().ThrowAsync<OperationCanceledException>();
        using var again = await hostB.Client.DeleteAsync($"/api/jobs/{jobId}/");
        using var gone = await hostA.Client.GetAsync($"/api/jobs/{jobId}/status/");
        using var unknown = await hostB.Client.DeleteAsync("/api/jobs/pipeline_20000101_001/");

        cancel.StatusCode.Should().Be(HttpStatusCode.Accepted, failed.ToString());
        failed.GetProperty("status").GetString().Should().Be("FAILED");
        failed.GetProperty("error").GetProperty("kind").GetString().Should().Be("cancelled", failed.ToString());
        failed.GetProperty("error").GetProperty("message").GetString().Should().StartWith($"The job was cancelled by DELETE /api/jobs/{jobId}/ from 127.0.0.1 after ");
        again.StatusCode.Should().Be(HttpStatusCode.NoContent, await again.Content.ReadAsStringAsync());
        gone.StatusCode.Should().Be(HttpStatusCode.NotFound);
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        SqliteRowFiles.CountRows(database).Should().Be(0, "a cancelled job leaves no rows");
        SqliteRowFiles.Files(database).Should().BeEmpty();
    }

    [Fact]
    public async Task Delete_CompletedJob_204AndTheJobItsRowsResultsEventsAndWebhooksAreGoneEverywhere()
    {
        var database = Path.Combine(Directory.CreateTempSubdirectory("txp-delete-").FullName, "jobs.db");
        await using var server = await PipelineServer.StartAsync(pipeline: p => p.UseSqlite($"Data Source={database}"));
        var jobId = await server.SubmitSampleAsync();
        var other = await server.SubmitSampleAsync();
        using var register = await server.Client.PostAsJsonAsync(
            "/api/jobs/webhooks/register/", new { job_id = jobId, webhook_url = "http://127.0.0.1:9/hook", events = new[] { "JOB_COMPLETE" } });
        await server.WaitForStatusAsync(jobId, "JOB_COMPLETE");
        await server.WaitForStatusAsync(other, "JOB_COMPLETE");

        using var delete = await server.Client.DeleteAsync($"/api/jobs/{jobId}/");
        using var status = await server.Client.GetAsync($"/api/jobs/{jobId}/status/");
        using var offers = await server.Client.GetAsync($"/api/jobs/{jobId}/offers/");
        using var events = await server.Client.GetAsync($"/api/jobs/{jobId}/events/");
        using var again = await server.Client.DeleteAsync($"/api/jobs/{jobId}/");
        var listed = await server.Client.GetFromJsonAsync<JsonElement>("/api/jobs/");

        register.StatusCode.Should().Be(HttpStatusCode.Created);
        delete.StatusCode.Should().Be(HttpStatusCode.NoContent);
        status.StatusCode.Should().Be(HttpStatusCode.NotFound);
        offers.StatusCode.Should().Be(HttpStatusCode.NotFound);
        events.StatusCode.Should().Be(HttpStatusCode.NotFound);
        again.StatusCode.Should().Be(HttpStatusCode.NotFound);
        listed.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("job_id").GetString()).Should().Equal(other);
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        foreach (var (table, column) in new[] { ("jobs", "id"), ("job_events", "job_id"), ("results", "job_id"), ("aggregates", "job_id"), ("assessments", "job_id"), ("offers", "job_id"), ("webhooks", "job_id") })
        {
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM {table} WHERE {column} = '{jobId}';";
            ((long)(await count.ExecuteScalarAsync())!).Should().Be(0, $"nothing of the job stays in {table}");
        }

        SqliteRowFiles.Files(database).Select(Path.GetFileNameWithoutExtension).Should().Equal(other);
        (await server.Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{other}/offers/")).GetProperty("offers").GetArrayLength().Should().BeGreaterThan(0, "the other job is untouched");
    }

    [Fact]
    public async Task DeleteCancelOnly_FinishedJob_Answers409AndKeepsTheJob()
    {
        await using var server = await PipelineServer.StartAsync();
        var jobId = await server.SubmitSampleAsync();
        await server.WaitForStatusAsync(jobId, "JOB_COMPLETE");

        using var cancel = await server.Client.DeleteAsync($"/api/jobs/{jobId}/?cancel_only=true");
        using var offers = await server.Client.GetAsync($"/api/jobs/{jobId}/offers/");

        cancel.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_status").GetString().Should().Be("JOB_COMPLETE");
        offers.StatusCode.Should().Be(HttpStatusCode.OK, "a cancel that came too late deletes nothing");
    }

    [Fact]
    public async Task ClientDeleteJobAsync_FinishedJob_AnswersNullAndTheJobIsGone()
    {
        await using var server = await PipelineServer.StartAsync();
        var client = new TransactionPipelineClient(server.Client);
        var jobId = await server.SubmitSampleAsync();
        await server.WaitForStatusAsync(jobId, "JOB_COMPLETE");

        var deleted = await client.DeleteJobAsync(jobId);
        var error = await FluentActions.Awaiting(() => client.GetStatusAsync(jobId)).Should().ThrowAsync<PipelineApiException>();

        deleted.Should().BeNull();
        error.Which.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
