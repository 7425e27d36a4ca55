using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TransactionPipeline.Tests.Shared;
using Xunit.Abstractions;

namespace TransactionPipeline.PostgreSql.Tests;

/// <summary>Two real Kestrel hosts on one PostgreSQL schema: a 200 MB upload importing on host A, cancelled through host B.</summary>
[RequiresPostgreSql]
public sealed class PostgreSqlHttpCancelTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long UploadBytes = 200L * 1024 * 1024;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly PostgreSqlTestDatabase _database = new();

    [StoreFact]
    public async Task Delete_OnHostBFor200MbImportingOnHostA_FailedCancelledWithinTwoSecondsNoRowsAndHostATakesTheNextJob()
    {
        await using var hostA = await StartHostAsync();
        await using var hostB = await StartHostAsync();
        using var clientA = new HttpClient { BaseAddress = Address(hostA), Timeout = Patience };
        using var clientB = new HttpClient { BaseAddress = Address(hostB), Timeout = Patience };
        using var stopUpload = new CancellationTokenSource();
        using var upload = new GeneratedBody(UploadBytes);
        var submit = clientA.PostAsync("/api/financial-transactions/process-transactions/", upload, stopUpload.Token);

        // Cancel once host B sees host A's job importing.
        var jobId = await Polling.WaitUntilAsync(
            async () => (await clientB.GetFromJsonAsync<JsonElement>("/api/jobs/?status=IN_PROGRESS")).GetProperty("jobs") is { } jobs
                && jobs.GetArrayLength() > 0 && jobs[0].GetProperty("progress").GetProperty("transactions_imported").GetInt64() > 0 ? jobs[0].GetProperty("job_id").GetString() : null,
            id => id is not null,
            Patience);
        var clock = Stopwatch.StartNew();
        using var cancel = await clientB.DeleteAsync($"/api/jobs/{jobId}/");
        var failed = await Polling.WaitUntilAsync(
            () => clientB.GetFromJsonAsync<JsonElement>($"/api/jobs/{jobId}/status/"),
            status => status.GetProperty("status").GetString() is "FAILED" or "JOB_COMPLETE",
            Patience);
        var cancelledIn = clock.Elapsed;
        var rowTables = await _database.RowTablesAsync();
        await stopUpload.CancelAsync();
        await FluentActions.Awaiting(() => submit).Should().ThrowAsync<Exception>("the client stops sending once the job has ended");
        output.WriteLine($"cancelled after {upload.Written / (1024 * 1024)} MB sent; FAILED seen on host B {cancelledIn.TotalMilliseconds:F0} ms after the DELETE");

        using var next = await clientA.PostAsync(
            "/api/financial-transactions/process-transactions/",
            new StringContent("""{"data": [{"amount": 12.50, "date": "2024-03-01", "is_revenue": true, "description": "next"}]}""", Encoding.UTF8, "application/json"));
        var nextJob = (await next.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString();
        var nextDone = await Polling.WaitUntilAsync(
            () => clientA.GetFromJsonAsync<JsonElement>($"/api/jobs/{nextJob}/status/"),
            status => status.GetProperty("status").GetString() is "FAILED" or "JOB_COMPLETE",
            Patience);

        cancel.StatusCode.Should().Be(HttpStatusCode.Accepted);
        failed.GetProperty("status").GetString().Should().Be("FAILED");
        failed.GetProperty("error").GetProperty("kind").GetString().Should().Be("cancelled", failed.ToString());
        failed.GetProperty("error").GetProperty("message").GetString().Should().StartWith($"The job was cancelled by DELETE /api/jobs/{jobId}/ from 127.0.0.1 after ");
        upload.Written.Should().BeLessThan(UploadBytes, "the job was cancelled while its body was still arriving");
        cancelledIn.Should().BeLessThan(TimeSpan.FromSeconds(2), "the owner notices a cancellation request within a second");
        rowTables.Should().BeEmpty("a cancelled job leaves no rows");
        nextDone.GetProperty("status").GetString().Should().Be("JOB_COMPLETE", "host A goes on with the next job");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    private async Task<WebApplication> StartHostAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddTransactionPipeline().UsePostgreSql(_database.Configure).AddHttpAdapter();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.MapTransactionPipeline();
        await app.StartAsync();
        return app;
    }

    /// <summary>A seed-shaped body of a given size, generated as it is sent, so the test holds none of it.</summary>
    private sealed class GeneratedBody : HttpContent
    {
        private readonly long _size;

        public GeneratedBody(long size)
        {
            _size = size;
            Headers.ContentType = new("application/json");
        }

        public long Written { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var chunk = new StringBuilder("""{"data": [""");
            for (var i = 0L; Written + chunk.Length < _size; i++)
            {
                chunk.Append(i == 0 ? string.Empty : ", ")
                    .Append(System.Globalization.CultureInfo.InvariantCulture, $$"""{"amount": {{i % 900 + 10}}.{{i % 100:00}}, "date": "2024-{{i % 12 + 1:00}}-{{i % 28 + 1:00}}", "is_revenue": {{(i % 4 == 0 ? "false" : "true")}}, "description": "generated item {{i}}"}""");
                if (chunk.Length >= 64 * 1024)
                {
                    await WriteAsync(stream, chunk, cancellationToken);
                }
            }

            chunk.Append("]}");
            await WriteAsync(stream, chunk, cancellationToken);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        private async Task WriteAsync(Stream stream, StringBuilder chunk, CancellationToken cancellationToken)
        {
            var bytes = Encoding.UTF8.GetBytes(chunk.ToString());
            chunk.Clear();
            await stream.WriteAsync(bytes, cancellationToken);
            Written += bytes.Length;
        }
    }
}
