using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TransactionPipeline.Client;

namespace TransactionPipeline.AspNetCore.Tests.Samples;

/// <summary>
/// The WebApi sample published as Native AOT (docs/deployment.md#native-aot), run as a user runs the binary: a trimmed
/// or AOT-unsafe path would fail here, as a warning fails its publish.
/// </summary>
public sealed class WebApiNativeAotTests(WebApiNativeAotTests.PublishedSample published) : IClassFixture<WebApiNativeAotTests.PublishedSample>
{
    [NativeAotFact]
    public async Task PublishedBinary_RunsJobsPostedAndUploaded_StreamsTheirEvents_AndServesOffersOpenApiAndTheDashboard()
    {
        published.Failure.Should().BeNull();
        File.Exists(Path.Combine(published.Folder, "WebApi.dll")).Should().BeFalse("a native binary needs no managed entry assembly");
        var data = Directory.CreateTempSubdirectory("txp-webapi-aot-").FullName;
        var file = await Uploads.UploadBodies.WriteAsync(4L * 1024 * 1024);
        var port = WebApiSampleTests.FreePort();
        using var host = Process.Start(new ProcessStartInfo(Path.Combine(published.Folder, "WebApi"))
        {
            ArgumentList = { "--urls", $"http://127.0.0.1:{port}", $"--ConnectionStrings:Pipeline=Data Source={Path.Combine(data, "jobs.db")}" },
            WorkingDirectory = published.Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Production" },
        })!;
        var log = new StringBuilder();
        host.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        host.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = PipelineServer.Timeout };
            using var health = await WebApiSampleTests.WaitForAsync(() => http.GetAsync("/healthz"));
            var client = new TransactionPipelineClient(http);

            // The seed's request, posted; its events followed over Server-Sent Events to the end.
            using var submitted = await http.PostAsync(
                "/api/financial-transactions/process-transactions/", new StringContent(SeedSample.Request, Encoding.UTF8, "application/json"));
            submitted.StatusCode.Should().Be(HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
            var seedJob = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;
            var events = new List<JobEventMessage>();
            await foreach (var message in client.WatchEventsAsync(seedJob))
            {
                events.Add(message);
            }

            // A generated file posted as one body, and the same file as a resumable upload.
            var posted = await client.SubmitFileAsync(file);
            var uploaded = await client.UploadFileAsync(file);
            var postedEnd = await client.WatchEventsAsync(posted.JobId).LastAsync();
            var uploadedEnd = await client.WatchEventsAsync(uploaded.JobId).LastAsync();
            var seedOffers = await client.GetOffersAsync(seedJob);
            var postedOffers = await client.GetOffersAsync(posted.JobId);
            var uploadedOffers = await client.GetOffersAsync(uploaded.JobId);
            using var openApi = await http.GetAsync("/openapi/v1.json");
            using var dashboard = await http.GetAsync("/pipeline/");
            using var jobs = await http.GetAsync("/api/jobs/");

            events.Select(e => e.EventType).Should().StartWith("JOB_CREATED").And.EndWith("JOB_COMPLETE").And.Contain("IMPORT_COMPLETED");
            seedOffers.PipelineSummary.TransactionsProcessed.Should().Be(1, "the seed's request holds one transaction");
            seedOffers.Offers.Should().NotBeEmpty();
            (postedEnd.EventType, uploadedEnd.EventType).Should().Be(("JOB_COMPLETE", "JOB_COMPLETE"));
            uploadedOffers.PipelineSummary.TransactionsProcessed.Should().Be(postedOffers.PipelineSummary.TransactionsProcessed).And.BeGreaterThan(10_000);
            uploadedOffers.Offers.Should().Equal(postedOffers.Offers);
            openApi.StatusCode.Should().Be(HttpStatusCode.OK, await openApi.Content.ReadAsStringAsync());
            var document = await openApi.Content.ReadFromJsonAsync<JsonElement>();
            document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Should().Contain("/api/financial-transactions/process-transactions");
            document.GetProperty("components").GetProperty("schemas").GetProperty("SubmitResponse").GetProperty("properties")
                .EnumerateObject().Select(p => p.Name).Should().Contain(["job_id", "status_url", "events_url"], "the document names the fields the API writes");
            dashboard.StatusCode.Should().Be(HttpStatusCode.OK);
            (await dashboard.Content.ReadAsStringAsync()).Should().Contain("<html");
            jobs.StatusCode.Should().Be(HttpStatusCode.OK, await jobs.Content.ReadAsStringAsync());
            (await jobs.Content.ReadAsStringAsync()).Should().Contain(uploaded.JobId);
        }
        finally
        {
            host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync();
            Directory.Delete(data, recursive: true);
            File.Delete(file);
            lock (log)
            {
                Console.WriteLine(log.ToString());
            }
        }
    }

    /// <summary>The sample published once for the class: <c>dotnet publish -p:PublishAot=true</c>, as the deployment guide says.</summary>
    public sealed class PublishedSample : IAsyncLifetime
    {
        public string Folder { get; } = Directory.CreateTempSubdirectory("txp-webapi-aot-publish-").FullName;

        /// <summary>Gets the publish's output when it failed.</summary>
        public string? Failure { get; private set; }

        public async Task InitializeAsync()
        {
            if (NativeAotFactAttribute.MissingTools is not null && Environment.GetEnvironmentVariable("PIPELINE_REQUIRE_TOOLS") is null)
            {
                return;
            }

            // The tests run from artifacts/bin/<project>/<configuration>/ under the repository.
            var root = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Parent!.Parent!.Parent!.FullName;
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList =
                {
                    "publish", Path.Combine(root, "samples", "WebApi"), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", Folder,
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0 || !File.Exists(Path.Combine(Folder, "WebApi")))
            {
                Failure = $"dotnet publish -p:PublishAot=true exited {process.ExitCode}:\n{await output}{error}";
            }
        }

        public Task DisposeAsync()
        {
            Directory.Delete(Folder, recursive: true);
            return Task.CompletedTask;
        }
    }
}

/// <summary>
/// A fact that publishes as Native AOT: skipped, with the reason, where clang is missing, except where the test run
/// promises every tool (<c>PIPELINE_REQUIRE_TOOLS</c>, set by the CI script after it installs them): there it fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NativeAotFactAttribute : FactAttribute
{
    public NativeAotFactAttribute() =>
        Skip = Environment.GetEnvironmentVariable("PIPELINE_REQUIRE_TOOLS") is null ? MissingTools : null;

    /// <summary>Gets why Native AOT cannot be published here, or <see langword="null"/>.</summary>
    public static string? MissingTools =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, "clang")))
            ? null
            : "Native AOT needs clang (Debian: apt-get install clang zlib1g-dev); .ci/run installs it";
}
