using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace TransactionPipeline.AspNetCore.Tests.Samples;

/// <summary>The WebApi sample as a user runs it: its own process, its own configuration files, a real port.</summary>
public sealed class WebApiSampleTests
{
    [Theory]
    [InlineData("Development", HttpStatusCode.Created)]
    [InlineData("Production", HttpStatusCode.BadRequest)]
    public async Task Register_LoopbackReceiver_AllowedOnlyWhereTheEnvironmentsSettingsSaySo(string environment, HttpStatusCode expected)
    {
        var folder = Directory.CreateTempSubdirectory("txp-webapi-sample-").FullName;
        var port = FreePort();
        using var sample = StartSample(environment, port, Path.Combine(folder, "jobs.db"));
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = PipelineServer.Timeout };
            var submitted = await WaitForAsync(() => client.PostAsync(
                "/api/financial-transactions/process-transactions/", new StringContent(SeedSample.Request, Encoding.UTF8, "application/json")));
            submitted.StatusCode.Should().Be(HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
            var jobId = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString();

            using var registered = await client.PostAsJsonAsync(
                "/api/jobs/webhooks/register/", new { job_id = jobId, webhook_url = "http://127.0.0.1:9/hook", events = new[] { "JOB_COMPLETE" } });

            registered.StatusCode.Should().Be(expected, await registered.Content.ReadAsStringAsync());
        }
        finally
        {
            sample.Kill(entireProcessTree: true);
            await sample.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Tenants_ApiKeysConfigured_RoutesNeedAKeyAndEachTenantSeesOnlyItsJobs()
    {
        var folder = Directory.CreateTempSubdirectory("txp-webapi-sample-").FullName;
        var port = FreePort();
        using var sample = StartSample(
            "Production", port, Path.Combine(folder, "jobs.db"), log: null, "--Tenants:ApiKeys:key-of-alice=alice", "--Tenants:ApiKeys:key-of-bob=bob");
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = PipelineServer.Timeout };
            using var ready = await WaitForAsync(() => client.GetAsync("/healthz"));
            async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? apiKey, string? body = null)
            {
                using var request = new HttpRequestMessage(method, path);
                if (body is not null)
                {
                    request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
                }

                if (apiKey is not null)
                {
                    request.Headers.Add("X-Api-Key", apiKey);
                }

                return await client.SendAsync(request);
            }

            using var anonymous = await SendAsync(HttpMethod.Get, "/api/jobs/", apiKey: null);
            using var wrongKey = await SendAsync(HttpMethod.Get, "/api/jobs/", apiKey: "key-of-mallory");
            using var submitted = await SendAsync(HttpMethod.Post, "/api/financial-transactions/process-transactions/", "key-of-alice", SeedSample.Request);
            var jobId = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString();
            using var asAlice = await SendAsync(HttpMethod.Get, $"/api/jobs/{jobId}/status/", "key-of-alice");
            using var asBob = await SendAsync(HttpMethod.Get, $"/api/jobs/{jobId}/status/", "key-of-bob");
            using var bobsList = await SendAsync(HttpMethod.Get, "/api/jobs/", "key-of-bob");

            anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            wrongKey.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            submitted.StatusCode.Should().Be(HttpStatusCode.Accepted);
            asAlice.StatusCode.Should().Be(HttpStatusCode.OK);
            asBob.StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await bobsList.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobs").GetArrayLength().Should().Be(0);
        }
        finally
        {
            sample.Kill(entireProcessTree: true);
            await sample.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task OpenApi_Document_DescribesTheListDeleteAndSubmitRoutesWithTheirAnswers()
    {
        var folder = Directory.CreateTempSubdirectory("txp-webapi-sample-").FullName;
        var port = FreePort();
        using var sample = StartSample("Development", port, Path.Combine(folder, "jobs.db"));
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = PipelineServer.Timeout };
            using var response = await WaitForAsync(() => client.GetAsync("/openapi/v1.json"));
            var paths = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("paths");
            paths.EnumerateObject().Select(p => p.Name).Should().Contain(["/api/jobs", "/api/jobs/{jobId}"], "the document drops the trailing slash the routes are written with");

            var list = paths.GetProperty("/api/jobs").GetProperty("get");
            var delete = paths.GetProperty("/api/jobs/{jobId}").GetProperty("delete");
            list.GetProperty("operationId").GetString().Should().Be("ListJobs");
            list.GetProperty("responses").EnumerateObject().Select(r => r.Name).Should().Contain(["200", "400"]);
            delete.GetProperty("operationId").GetString().Should().Be("DeleteJob");
            delete.GetProperty("responses").EnumerateObject().Select(r => r.Name).Should().Contain(["202", "204", "404", "409"]);
            var submit = paths.GetProperty("/api/financial-transactions/process-transactions").GetProperty("post");
            submit.GetProperty("responses").EnumerateObject().Select(r => r.Name).Should().Contain(["202", "400", "409", "422"]);
            submit.GetProperty("summary").GetString().Should().Contain("Idempotency-Key");
        }
        finally
        {
            sample.Kill(entireProcessTree: true);
            await sample.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    [TusJsClientFact]
    public async Task TusJsClient_UploadsAGeneratedFileToTheSampleThroughDroppedConnections_AndTheJobCompletesWithEveryTransaction()
    {
        var folder = Directory.CreateTempSubdirectory("txp-webapi-sample-").FullName;
        var port = FreePort();
        var file = await Uploads.UploadBodies.WriteAsync(10L * 1024 * 1024);
        using var sample = StartSample("Production", port, Path.Combine(folder, "jobs.db"));
        try
        {
            var client = await TusJsClient.InstallAsync();
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = PipelineServer.Timeout };
            using var ready = await WaitForAsync(() => http.GetAsync("/healthz"));
            var direct = await new TransactionPipeline.Client.TransactionPipelineClient(http).SubmitFileAsync(file);

            // A network that drops the connection every 3 MB: tus-js-client resumes from the server's offset each time.
            await using var proxy = new Uploads.CuttingProxy(http.BaseAddress!, cutAfter: 3L * 1024 * 1024);
            var (code, output, errors) = await TusJsClient.UploadAsync(client, new Uri(proxy.Address, "/api/financial-transactions/uploads/"), file);

            code.Should().Be(0, $"{output}{errors}");
            proxy.Cuts.Should().BeGreaterThanOrEqualTo(3, "the upload went through several dropped connections");
            var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
            var jobId = result.GetProperty("job_id").GetString()!;
            result.GetProperty("upload_url").GetString().Should().Contain("/api/financial-transactions/uploads/");
            var status = await TransactionPipeline.Tests.Shared.Polling.WaitUntilAsync(
                async () => await http.GetFromJsonAsync<JsonElement>($"/api/jobs/{jobId}/status/"),
                s => s.GetProperty("status").GetString() is "JOB_COMPLETE" or "FAILED",
                PipelineServer.Timeout);
            status.GetProperty("status").GetString().Should().Be("JOB_COMPLETE", status.ToString());
            await TransactionPipeline.Tests.Shared.Polling.WaitUntilAsync(
                async () => await http.GetFromJsonAsync<JsonElement>($"/api/jobs/{direct.JobId}/status/"),
                s => s.GetProperty("status").GetString() is "JOB_COMPLETE" or "FAILED",
                PipelineServer.Timeout);
            var uploaded = await http.GetFromJsonAsync<JsonElement>($"/api/jobs/{jobId}/offers/");
            var posted = await http.GetFromJsonAsync<JsonElement>($"/api/jobs/{direct.JobId}/offers/");
            uploaded.GetProperty("pipeline_summary").GetProperty("transactions_processed").GetInt64()
                .Should().Be(posted.GetProperty("pipeline_summary").GetProperty("transactions_processed").GetInt64()).And.BeGreaterThan(50_000);
            uploaded.GetProperty("offers").GetRawText().Should().Be(posted.GetProperty("offers").GetRawText());
        }
        finally
        {
            sample.Kill(entireProcessTree: true);
            await sample.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Healthz_AndAJob_AnswerHealthyAndTheLogShowsTheJobsLifecycle()
    {
        var folder = Directory.CreateTempSubdirectory("txp-webapi-sample-").FullName;
        var port = FreePort();
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var sample = StartSample("Production", port, Path.Combine(folder, "jobs.db"), log);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = PipelineServer.Timeout };
            using var health = await WaitForAsync(() => client.GetAsync("/healthz"));
            using var live = await client.GetAsync("/healthz/live");
            using var ready = await client.GetAsync("/healthz/ready");
            using var submitted = await client.PostAsync(
                "/api/financial-transactions/process-transactions/", new StringContent(SeedSample.Request, Encoding.UTF8, "application/json"));
            var jobId = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;
            var lines = await TransactionPipeline.Tests.Shared.Polling.WaitUntilAsync(
                () => Task.FromResult(log.Where(l => l.Contains(jobId, StringComparison.Ordinal)).ToList()),
                l => l.Any(line => line.Contains("complete", StringComparison.Ordinal)),
                PipelineServer.Timeout);

            (health.StatusCode, await health.Content.ReadAsStringAsync()).Should().Be((HttpStatusCode.OK, "Healthy"));
            (live.StatusCode, await live.Content.ReadAsStringAsync()).Should().Be((HttpStatusCode.OK, "Healthy"));
            (ready.StatusCode, await ready.Content.ReadAsStringAsync()).Should().Be((HttpStatusCode.OK, "Healthy"));
            string.Join('\n', lines).Should().ContainAll($"Job {jobId} created.", $"Job {jobId} imported", $"Job {jobId} complete:");
        }
        finally
        {
            sample.Kill(entireProcessTree: true);
            await sample.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Process StartSample(
        string environment, int port, string database, System.Collections.Concurrent.ConcurrentQueue<string>? log = null, params string[] settings)
    {
        // The sample is built next to the tests: artifacts/bin/<project>/<configuration>/.
        var tests = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(tests.Parent!.Parent!.FullName, "WebApi", tests.Name, "WebApi.dll");
        File.Exists(dll).Should().BeTrue($"the sample is built at {dll}");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", $"http://127.0.0.1:{port}", $"--ConnectionStrings:Pipeline=Data Source={database}" },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = environment, ["DOTNET_ENVIRONMENT"] = environment },
        };
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => log?.Enqueue(e.Data ?? string.Empty);
        process.ErrorDataReceived += (_, e) => log?.Enqueue(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static async Task<HttpResponseMessage> WaitForAsync(Func<Task<HttpResponseMessage>> send)
    {
        using var timeout = new CancellationTokenSource(PipelineServer.Timeout);
        while (true)
        {
            try
            {
                return await send();
            }
            catch (HttpRequestException) when (!timeout.IsCancellationRequested)
            {
                // Not listening yet.
                await Task.Delay(100);
            }
        }
    }
}
