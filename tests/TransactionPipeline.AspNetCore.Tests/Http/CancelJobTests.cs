using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TransactionPipeline.Client;
using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.AspNetCore.Tests.Http;

/// <summary><c>DELETE /api/jobs/{job_id}/</c> over real Kestrel: two hosts on one SQLite database, the cancel sent to the other.</summary>
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
        using var unknown = await hostB.Client.DeleteAsync("/api/jobs/pipeline_20000101_001/");

        cancel.StatusCode.Should().Be(HttpStatusCode.Accepted, failed.ToString());
        failed.GetProperty("status").GetString().Should().Be("FAILED");
        failed.GetProperty("error").GetProperty("kind").GetString().Should().Be("cancelled", failed.ToString());
        failed.GetProperty("error").GetProperty("message").GetString().Should().StartWith($"The job was cancelled by DELETE /api/jobs/{jobId}/ from 127.0.0.1 after ");
        again.StatusCode.Should().Be(HttpStatusCode.Conflict, "a finished job has nothing to cancel");
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database}");
        await connection.OpenAsync();
        using var rows = connection.CreateCommand();
        rows.CommandText = "SELECT count(*) FROM transaction_rows;";
        ((long)(await rows.ExecuteScalarAsync())!).Should().Be(0, "a cancelled job leaves no rows");
    }

    [Fact]
    public async Task ClientCancelJobAsync_FinishedJob_ThrowsConflict()
    {
        await using var server = await PipelineServer.StartAsync();
        var client = new TransactionPipelineClient(server.Client);
        var jobId = await server.SubmitSampleAsync();
        await server.WaitForStatusAsync(jobId, "JOB_COMPLETE");

        var error = await FluentActions.Awaiting(() => client.CancelJobAsync(jobId)).Should().ThrowAsync<PipelineApiException>();

        error.Which.StatusCode.Should().Be(HttpStatusCode.Conflict);
    }
}
