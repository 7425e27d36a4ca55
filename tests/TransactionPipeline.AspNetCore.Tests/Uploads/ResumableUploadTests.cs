using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TransactionPipeline.AspNetCore.Uploads;
using TransactionPipeline.Client;

namespace TransactionPipeline.AspNetCore.Tests.Uploads;

/// <summary>The tus 1.0 upload route over real Kestrel, spoken by hand where the protocol itself is under test and by the typed client otherwise.</summary>
public sealed class ResumableUploadTests
{
    private const string Uploads = "/api/financial-transactions/uploads/";

    [Fact]
    public async Task Upload_ThroughAProxyThatCutsTheConnectionEveryFewMegabytes_CompletesWithTheOffersOfAnUninterruptedRun()
    {
        await using var server = await PipelineServer.StartAsync();
        var path = await UploadBodies.WriteAsync(100L * 1024 * 1024);
        try
        {
            await using var proxy = new CuttingProxy(server.Client.BaseAddress!, cutAfter: 7L * 1024 * 1024);
            using var viaProxy = new HttpClient { BaseAddress = proxy.Address, Timeout = TimeSpan.FromMinutes(2) };
            var client = new TransactionPipelineClient(viaProxy);
            var options = new PipelineUploadOptions { FirstRetryDelay = TimeSpan.FromMilliseconds(20), MaxRetryDelay = TimeSpan.FromMilliseconds(200), MaxRetries = 5 };
            var reports = new List<UploadProgress>();

            await using var file = File.OpenRead(path);
            var upload = await client.CreateUploadAsync(file, options);
            var statusBeforeFirstPatch = await StatusOfAsync(server, upload.JobId);
            await upload.SendAsync(new SynchronousProgress(reports.Add));
            var interrupted = await server.WaitForStatusAsync(upload.JobId, "JOB_COMPLETE", "FAILED");
            var direct = await new TransactionPipelineClient(server.Client).SubmitFileAsync(path);
            await server.WaitForStatusAsync(direct.JobId, "JOB_COMPLETE", "FAILED");

            statusBeforeFirstPatch.GetProperty("status").GetString().Should().Be("IN_PROGRESS", "the job exists before the first PATCH");
            var waiting = statusBeforeFirstPatch.GetProperty("upload");
            waiting.GetProperty("state").GetString().Should().Be("waiting");
            waiting.GetProperty("bytes_received").GetInt64().Should().Be(0);
            proxy.Cuts.Should().BeGreaterThanOrEqualTo(10, "a 100 MB upload through a proxy that cuts every 7 MB is cut again and again");
            upload.Offset.Should().Be(new FileInfo(path).Length);
            reports[^1].Should().Be(new UploadProgress(upload.Length, upload.Length, reports[^1].Retries));
            reports[^1].Retries.Should().BeGreaterThanOrEqualTo(proxy.Cuts, "each cut is resumed from the server's offset");
            reports.Select(r => r.BytesSent).Should().Contain(b => b > 0 && b < upload.Length, "progress is reported as the upload goes");
            interrupted.GetProperty("status").GetString().Should().Be("JOB_COMPLETE", interrupted.ToString());
            interrupted.GetProperty("progress").GetProperty("bytes_read").GetInt64().Should().Be(new FileInfo(path).Length);
            (await OffersAsync(server, upload.JobId)).Should().Be(await OffersAsync(server, direct.JobId));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task TwentyUploadsAtOnce_ThroughDroppedConnections_EachJobGetsEveryRowOfItsOwnFile()
    {
        await using var server = await PipelineServer.StartAsync();
        await using var proxy = new CuttingProxy(server.Client.BaseAddress!, cutAfter: 512 * 1024);
        using var viaProxy = new HttpClient { BaseAddress = proxy.Address, Timeout = TimeSpan.FromMinutes(2) };
        var client = new TransactionPipelineClient(viaProxy);
        // Twenty uploads share the client's connections, and each connection dies after 512 KB whoever sent them, so an
        // upload can meet many dead or nearly spent connections in a row: short waits, and more of them than by default.
        var options = new PipelineUploadOptions { FirstRetryDelay = TimeSpan.FromMilliseconds(10), MaxRetryDelay = TimeSpan.FromMilliseconds(100), MaxRetries = 100 };
        var files = new List<(string Path, long Rows)>();
        for (var n = 0; n < 20; n++)
        {
            // Each file a different number of rows, so a job that got another's bytes would show it.
            var rows = 5_000 + (n * 137);
            var items = Enumerable.Range(0, rows).Select(i =>
                $$"""{"amount": {{(i % 500) + 1}}.{{n:D2}}, "date": "2024-02-{{(i % 28) + 1:D2}}", "is_revenue": {{(i % 3 == 0 ? "true" : "false")}}, "description": "file {{n}} item {{i}}"}""");
            var path = Path.Combine(Path.GetTempPath(), $"txp-upload-{Guid.NewGuid():N}.json");
            await File.WriteAllTextAsync(path, "{\"data\": [" + string.Join(",", items) + "]}");
            files.Add((path, rows));
        }

        try
        {
            var uploads = await Task.WhenAll(files.Select(f => client.UploadFileAsync(f.Path, options: options)));
            var statuses = await Task.WhenAll(uploads.Select(u => server.WaitForStatusAsync(u.JobId, "JOB_COMPLETE", "FAILED")));

            proxy.Cuts.Should().BeGreaterThanOrEqualTo(20, "the uploads went through dropped connections");
            uploads.Select(u => u.JobId).Should().OnlyHaveUniqueItems();
            for (var n = 0; n < files.Count; n++)
            {
                statuses[n].GetProperty("status").GetString().Should().Be("JOB_COMPLETE", statuses[n].ToString());
                statuses[n].GetProperty("progress").GetProperty("transactions_imported").GetInt64().Should().Be(files[n].Rows, $"upload {n} has its own file's rows");
                statuses[n].GetProperty("progress").GetProperty("bytes_read").GetInt64().Should().Be(new FileInfo(files[n].Path).Length);
            }
        }
        finally
        {
            files.ForEach(f => File.Delete(f.Path));
        }
    }

    [Fact]
    public async Task Options_AnswersTheVersionAndTheExtensions()
    {
        await using var server = await PipelineServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Options, Uploads);

        using var response = await server.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        Header(response, "Tus-Resumable").Should().Be("1.0.0");
        Header(response, "Tus-Version").Should().Be("1.0.0");
        Header(response, "Tus-Extension").Split(',').Should().BeEquivalentTo("creation", "creation-with-upload", "creation-defer-length", "termination", "expiration");
    }

    [Fact]
    public async Task Post_WithoutTusResumable_Answers412WithTheSupportedVersion()
    {
        await using var server = await PipelineServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, Uploads);
        request.Headers.Add("Upload-Length", "10");

        using var response = await server.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        Header(response, "Tus-Version").Should().Be("1.0.0");
    }

    [Fact]
    public async Task Create_ThenPatchHalf_StatusAndHeadSayTheBytesReceivedAndThatTheImportWaits()
    {
        await using var server = await PipelineServer.StartAsync();
        var body = Encoding.UTF8.GetBytes(SeedSample.Request);
        var half = body.Length / 2;

        using var created = await CreateAsync(server, body.Length);
        var location = created.Headers.Location!.ToString();
        var json = await created.Content.ReadFromJsonAsync<JsonElement>();
        var jobId = json.GetProperty("job_id").GetString()!;
        using var patched = await PatchAsync(server, location, 0, body[..half]);
        var status = await StatusOfAsync(server, jobId);
        using var head = await HeadAsync(server, location);

        created.StatusCode.Should().Be(HttpStatusCode.Created);
        location.Should().StartWith(Uploads).And.MatchRegex("/[0-9a-f]{32}$", "the upload's id is 128 random bits");
        Header(created, "Pipeline-Job-Id").Should().Be(jobId);
        Header(created, "Upload-Expires").Should().NotBeEmpty();
        json.GetProperty("upload_url").GetString().Should().Be(location);
        json.GetProperty("status_url").GetString().Should().Be($"/api/jobs/{jobId}/status/");
        json.GetProperty("events_url").GetString().Should().Be($"/api/jobs/{jobId}/events/");
        patched.StatusCode.Should().Be(HttpStatusCode.NoContent);
        Header(patched, "Upload-Offset").Should().Be(half.ToString(CultureInfo.InvariantCulture));
        status.GetProperty("status").GetString().Should().Be("IN_PROGRESS");
        status.GetProperty("current_stage").GetString().Should().Be("import");
        status.GetProperty("upload").GetProperty("state").GetString().Should().Be("waiting");
        status.GetProperty("upload").GetProperty("bytes_received").GetInt64().Should().Be(half);
        status.GetProperty("upload").GetProperty("upload_length").GetInt64().Should().Be(body.Length);
        status.GetProperty("upload").TryGetProperty("upload_url", out _).Should().BeFalse("job ids can be guessed; the upload's URL stays with its client");
        head.StatusCode.Should().Be(HttpStatusCode.OK);
        Header(head, "Upload-Offset").Should().Be(half.ToString(CultureInfo.InvariantCulture));
        Header(head, "Upload-Length").Should().Be(body.Length.ToString(CultureInfo.InvariantCulture));
        head.Headers.CacheControl!.NoStore.Should().BeTrue();

        using var rest = await PatchAsync(server, location, half, body[half..]);
        rest.StatusCode.Should().Be(HttpStatusCode.NoContent, await rest.Content.ReadAsStringAsync());
        (await server.WaitForStatusAsync(jobId, "JOB_COMPLETE", "FAILED")).GetProperty("status").GetString().Should().Be("JOB_COMPLETE");
        (await OffersAsync(server, jobId)).Should().Contain("\"date\":\"2024-01-15\"");
    }

    [Fact]
    public async Task Patch_AtAnotherOffsetThanTheServers_Answers409WithTheServersOffset()
    {
        await using var server = await PipelineServer.StartAsync();
        var body = Encoding.UTF8.GetBytes(SeedSample.Request);
        using var created = await CreateAsync(server, body.Length);
        var location = created.Headers.Location!.ToString();
        using var first = await PatchAsync(server, location, 0, body[..100]);

        using var wrong = await PatchAsync(server, location, 50, body[50..]);
        using var again = await PatchAsync(server, location, 0, body);

        wrong.StatusCode.Should().Be(HttpStatusCode.Conflict);
        Header(wrong, "Upload-Offset").Should().Be("100");
        (await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("upload_offset").GetInt64().Should().Be(100);
        again.StatusCode.Should().Be(HttpStatusCode.Conflict, "bytes already taken are never taken twice");
        using var rest = await PatchAsync(server, location, 100, body[100..]);
        rest.StatusCode.Should().Be(HttpStatusCode.NoContent);
        var jobId = Header(created, "Pipeline-Job-Id");
        (await server.WaitForStatusAsync(jobId, "JOB_COMPLETE", "FAILED")).GetProperty("status").GetString().Should().Be("JOB_COMPLETE");
    }

    [Fact]
    public async Task Upload_IdleLongerThanItsExpiry_FailsTheJobAsUploadExpired_AndLaterPatchesAnswerGone()
    {
        var expiry = TimeSpan.FromSeconds(3);
        await using var server = await PipelineServer.StartAsync(options => options.UploadExpiry = expiry);
        var body = Encoding.UTF8.GetBytes(SeedSample.Request);
        using var created = await CreateAsync(server, body.Length);
        var location = created.Headers.Location!.ToString();
        var jobId = Header(created, "Pipeline-Job-Id");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var beforePatch = DateTimeOffset.UtcNow;
        using var first = await PatchAsync(server, location, 0, body[..40]);

        // An HTTP date has whole seconds: a fresh expiry is at least the expiry, less that second, after the PATCH began;
        // one counted from the upload's creation, 1.5 s earlier, is not.
        var expires = DateTimeOffset.Parse(Header(first, "Upload-Expires"), CultureInfo.InvariantCulture);
        expires.Should().BeOnOrAfter(beforePatch + expiry - TimeSpan.FromSeconds(1), "a PATCH's answer says an expiry from its end, not from the upload's creation");

        var status = await server.WaitForStatusAsync(jobId, "FAILED", "JOB_COMPLETE");
        using var late = await PatchAsync(server, location, 40, body[40..]);

        status.GetProperty("status").GetString().Should().Be("FAILED");
        status.GetProperty("error").GetProperty("kind").GetString().Should().Be("upload_expired");
        status.GetProperty("error").GetProperty("message").GetString().Should().Contain("after byte 40");
        late.StatusCode.Should().Be(HttpStatusCode.Gone);
        var problem = await late.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("error_kind").GetString().Should().Be("upload_expired");
    }

    [Fact]
    public async Task Delete_TerminatesTheUpload_ItsJobEndsCancelled_AndTheUploadIsGone()
    {
        await using var server = await PipelineServer.StartAsync();
        var body = Encoding.UTF8.GetBytes(SeedSample.Request);
        using var created = await CreateAsync(server, body.Length);
        var location = created.Headers.Location!.ToString();
        var jobId = Header(created, "Pipeline-Job-Id");
        using var first = await PatchAsync(server, location, 0, body[..40]);

        using var delete = new HttpRequestMessage(HttpMethod.Delete, location);
        delete.Headers.Add("Tus-Resumable", "1.0.0");
        using var terminated = await server.Client.SendAsync(delete);
        var status = await server.WaitForStatusAsync(jobId, "FAILED", "JOB_COMPLETE");
        using var head = await HeadAsync(server, location);

        terminated.StatusCode.Should().Be(HttpStatusCode.NoContent);
        status.GetProperty("error").GetProperty("kind").GetString().Should().Be("cancelled");
        status.GetProperty("error").GetProperty("message").GetString().Should().Contain("DELETE of its upload");
        head.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Patch_BodyInvalidMidUpload_FailsTheJobAtTheFirstBadByte_AndLaterPatchesAnswerTheSameProblem()
    {
        await using var server = await PipelineServer.StartAsync();
        var good = string.Join(",", Enumerable.Range(0, 2_000).Select(i => $$"""{"amount": 1.{{i % 100:D2}}, "date": "2024-01-15", "is_revenue": true, "description": "item {{i}}"}"""));
        var body = Encoding.UTF8.GetBytes("""{"data": [""" + good + """, {"amount": "oops", "date": "2024-01-15", "is_revenue": true, "description": "bad"}]}""");
        var badAt = Encoding.UTF8.GetByteCount("""{"data": [""" + good + """, {"amount": """);
        using var created = await CreateAsync(server, body.Length);
        var location = created.Headers.Location!.ToString();
        var jobId = Header(created, "Pipeline-Job-Id");
        using var first = await PatchAsync(server, location, 0, body[..(badAt - 100)]);

        using var bad = await PatchAsync(server, location, badAt - 100, body[(badAt - 100)..]);
        using var after = await PatchAsync(server, location, body.Length, []);
        var status = await server.WaitForStatusAsync(jobId, "FAILED", "JOB_COMPLETE");

        first.StatusCode.Should().Be(HttpStatusCode.NoContent);
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("error_kind").GetString().Should().Be("invalid_input");
        problem.GetProperty("item_index").GetInt64().Should().Be(2_000);
        problem.GetProperty("byte_offset").GetInt64().Should().Be(badAt);
        after.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await after.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("item_index").GetInt64().Should().Be(2_000);
        using var head = await HeadAsync(server, location);
        head.StatusCode.Should().Be(HttpStatusCode.Gone, "a tus client that resumes starts over instead of sending into a failed job");
        status.GetProperty("error").GetProperty("kind").GetString().Should().Be("invalid_input");
        status.GetProperty("error").GetProperty("byte_offset").GetInt64().Should().Be(badAt);
    }

    [Fact]
    public async Task TwoUploadsAtOnce_EachKeepsItsOwnOffsetAndGetsItsOwnOffers()
    {
        await using var server = await PipelineServer.StartAsync();
        var march = Encoding.UTF8.GetBytes(SeedSample.Request.Replace("2024-01-15", "2024-03-01", StringComparison.Ordinal).Replace("1500.00", "700.00", StringComparison.Ordinal));
        var january = Encoding.UTF8.GetBytes(SeedSample.Request);
        using var a = await CreateAsync(server, march.Length);
        using var b = await CreateAsync(server, january.Length);
        var (aUrl, bUrl) = (a.Headers.Location!.ToString(), b.Headers.Location!.ToString());

        // Interleaved, in pieces of different sizes: each upload's offset moves only with its own bytes.
        for (int i = 0, j = 0; i < march.Length || j < january.Length;)
        {
            if (i < march.Length)
            {
                var n = Math.Min(37, march.Length - i);
                using var pa = await PatchAsync(server, aUrl, i, march[i..(i + n)]);
                pa.StatusCode.Should().Be(HttpStatusCode.NoContent);
                i += n;
            }

            if (j < january.Length)
            {
                var n = Math.Min(61, january.Length - j);
                using var pb = await PatchAsync(server, bUrl, j, january[j..(j + n)]);
                pb.StatusCode.Should().Be(HttpStatusCode.NoContent);
                j += n;
            }
        }

        var (aJob, bJob) = (Header(a, "Pipeline-Job-Id"), Header(b, "Pipeline-Job-Id"));
        await server.WaitForStatusAsync(aJob, "JOB_COMPLETE");
        await server.WaitForStatusAsync(bJob, "JOB_COMPLETE");
        aJob.Should().NotBe(bJob);
        aUrl.Should().NotBe(bUrl);
        (await OffersAsync(server, aJob)).Should().Contain("\"date\":\"2024-03-01\"").And.NotContain("2024-01-15");
        (await OffersAsync(server, bJob)).Should().Contain("\"date\":\"2024-01-15\"").And.NotContain("2024-03-01");
    }

    [Fact]
    public async Task CreationWithUploadAndDeferredLength_TheLastPatchDeclaresTheLength_AndConfigsComeFromTheMetadata()
    {
        await using var server = await PipelineServer.StartAsync();
        var body = Encoding.UTF8.GetBytes("""{"data": [{"amount": 1500.00, "date": "2024-01-15", "is_revenue": true, "description": "Revenue"}]}""");
        using var create = new HttpRequestMessage(HttpMethod.Post, Uploads) { Content = OffsetContent(body[..30]) };
        create.Headers.Add("Tus-Resumable", "1.0.0");
        create.Headers.Add("Upload-Defer-Length", "1");
        var config = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"model_version": "v9.9"}"""));
        create.Headers.Add("Upload-Metadata", $"filename {Convert.ToBase64String("t.json"u8)},credit_model_config {config}");

        using var created = await server.Client.SendAsync(create);
        var location = created.Headers.Location!.ToString();
        using var head = await HeadAsync(server, location);
        using var last = await PatchAsync(server, location, 30, body[30..], uploadLength: body.Length);
        var jobId = Header(created, "Pipeline-Job-Id");
        await server.WaitForStatusAsync(jobId, "JOB_COMPLETE");

        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        Header(created, "Upload-Offset").Should().Be("30");
        Header(head, "Upload-Defer-Length").Should().Be("1");
        last.StatusCode.Should().Be(HttpStatusCode.NoContent);
        var offers = JsonDocument.Parse(await OffersAsync(server, jobId)).RootElement;
        offers.GetProperty("results").GetProperty("model_version").GetString().Should().Be("v9.9");
    }

    [Fact]
    public async Task Post_InvalidConfigInTheMetadata_Answers400SayingWhere()
    {
        await using var server = await PipelineServer.StartAsync();
        using var create = new HttpRequestMessage(HttpMethod.Post, Uploads);
        create.Headers.Add("Tus-Resumable", "1.0.0");
        create.Headers.Add("Upload-Length", "100");
        create.Headers.Add("Upload-Metadata", $"aggregate_config {Convert.ToBase64String("""{"group_by": "week"}"""u8)}");

        using var response = await server.Client.SendAsync(create);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Contain("group_by");
    }

    [Fact]
    public async Task WithTenants_AnotherTenantsUploadIsUnknown()
    {
        await using var server = await PipelineServer.StartAsync(pipeline: p => p.Services.AddSingleton<IJobTenantProvider, HeaderTenant>());
        using var create = new HttpRequestMessage(HttpMethod.Post, Uploads);
        create.Headers.Add("Tus-Resumable", "1.0.0");
        create.Headers.Add("Upload-Length", "100");
        create.Headers.Add(HeaderTenant.Header, "alice");
        using var created = await server.Client.SendAsync(create);
        var location = created.Headers.Location!.ToString();

        foreach (var method in new[] { HttpMethod.Head, HttpMethod.Patch, HttpMethod.Delete })
        {
            using var asBob = new HttpRequestMessage(method, location);
            asBob.Headers.Add("Tus-Resumable", "1.0.0");
            asBob.Headers.Add(HeaderTenant.Header, "bob");
            asBob.Headers.Add("Upload-Offset", "0");
            asBob.Content = method == HttpMethod.Patch ? OffsetContent("{"u8.ToArray()) : null;
            using var response = await server.Client.SendAsync(asBob);
            response.StatusCode.Should().Be(HttpStatusCode.NotFound, $"{method} of another tenant's upload");
        }

        using var asAlice = new HttpRequestMessage(HttpMethod.Head, location);
        asAlice.Headers.Add("Tus-Resumable", "1.0.0");
        asAlice.Headers.Add(HeaderTenant.Header, "alice");
        using var own = await server.Client.SendAsync(asAlice);
        own.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task HostStoppedWhileAPatchIsWriting_StopsPromptly_AndTheJobFailsAsHostShutdown()
    {
        var server = await PipelineServer.StartAsync();
        var body = Encoding.UTF8.GetBytes(SeedSample.Request);
        using var created = await CreateAsync(server, body.Length);
        var location = created.Headers.Location!.ToString();
        var jobId = Header(created, "Pipeline-Job-Id");
        using var patch = await StartPatchAsync(server, location, body[..40], body.Length);
        await WaitForOffsetAsync(server, location, 40);
        var pipeline = server.Services.GetRequiredService<IPipeline>();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await server.DisposeAsync();
        var status = await pipeline.GetStatusAsync(jobId);

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15), "the server's shutdown does not wait for an upload that is still open");
        status!.State.Should().Be(JobState.Failed);
        status.Error!.Kind.Should().Be(JobErrorKind.HostShutdown, status.Error.Message);
    }

    [Fact]
    public async Task DeleteWhileAPatchIsWriting_EndsThePatchAndCancelsTheJob()
    {
        await using var server = await PipelineServer.StartAsync();
        var body = Encoding.UTF8.GetBytes(SeedSample.Request);
        using var created = await CreateAsync(server, body.Length);
        var location = created.Headers.Location!.ToString();
        var jobId = Header(created, "Pipeline-Job-Id");
        using var patch = await StartPatchAsync(server, location, body[..40], body.Length);
        await WaitForOffsetAsync(server, location, 40);

        using var delete = new HttpRequestMessage(HttpMethod.Delete, location);
        delete.Headers.Add("Tus-Resumable", "1.0.0");
        using var terminated = await server.Client.SendAsync(delete);
        var answer = await ReadAnswerAsync(patch);
        var status = await server.WaitForStatusAsync(jobId, "FAILED", "JOB_COMPLETE");

        terminated.StatusCode.Should().Be(HttpStatusCode.NoContent);
        answer.Should().NotContain(" 500 ", "the PATCH that was writing ends with the upload's end, not a server error");
        status.GetProperty("error").GetProperty("kind").GetString().Should().Be("cancelled");
    }

    [Fact]
    public async Task PostWithMethodOverride_ActsAsPatch()
    {
        await using var server = await PipelineServer.StartAsync();
        var body = Encoding.UTF8.GetBytes(SeedSample.Request);
        using var created = await CreateAsync(server, body.Length);
        using var request = new HttpRequestMessage(HttpMethod.Post, created.Headers.Location) { Content = OffsetContent(body) };
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Offset", "0");
        request.Headers.Add("X-HTTP-Method-Override", "PATCH");

        using var response = await server.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        Header(response, "Upload-Offset").Should().Be(body.Length.ToString(CultureInfo.InvariantCulture));
        (await server.WaitForStatusAsync(Header(created, "Pipeline-Job-Id"), "JOB_COMPLETE", "FAILED")).GetProperty("status").GetString().Should().Be("JOB_COMPLETE");
    }

    [Fact]
    public void Metadata_PairsOfKeysAndBase64Values_AreRead_AndMalformedOnesRefused()
    {
        UploadEndpoints.TryReadMetadata("filename d29ybGQ=,is_confidential", out var read, out _).Should().BeTrue();
        read.Should().Equal(new Dictionary<string, string> { ["filename"] = "world", ["is_confidential"] = string.Empty });
        UploadEndpoints.TryReadMetadata("filename not*base64", out _, out var error).Should().BeFalse();
        error.Should().Contain("filename");
        UploadEndpoints.TryReadMetadata("a YQ==,a YQ==", out _, out _).Should().BeFalse("keys are unique");
    }

    private static async Task<HttpResponseMessage> CreateAsync(PipelineServer server, long length)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Uploads);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        var response = await server.Client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return response;
    }

    private static async Task<HttpResponseMessage> PatchAsync(PipelineServer server, string location, long offset, byte[] bytes, long? uploadLength = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = OffsetContent(bytes) };
        request.Headers.Add("Tus-Resumable", "1.0.0");
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        if (uploadLength is { } length)
        {
            request.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        }

        return await server.Client.SendAsync(request);
    }

    /// <summary>A PATCH over its own socket that sends <paramref name="part"/> of a body of <paramref name="declared"/> bytes and holds the rest back.</summary>
    private static async Task<System.Net.Sockets.TcpClient> StartPatchAsync(PipelineServer server, string location, byte[] part, long declared)
    {
        var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(server.Client.BaseAddress!.Host, server.Client.BaseAddress.Port);
        var head = $"PATCH {location} HTTP/1.1\r\nHost: localhost\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
            + $"Content-Type: application/offset+octet-stream\r\nContent-Length: {declared}\r\n\r\n";
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(part);
        await stream.FlushAsync();
        return socket;
    }

    /// <summary>What the server answered on the socket, up to its close; empty when it closed without an answer.</summary>
    private static async Task<string> ReadAnswerAsync(System.Net.Sockets.TcpClient socket)
    {
        using var timeout = new CancellationTokenSource(PipelineServer.Timeout);
        var buffer = new byte[4096];
        var answer = new StringBuilder();
        try
        {
            while (!answer.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await socket.GetStream().ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (IOException)
        {
            // Reset by the server: no answer.
        }

        return answer.ToString();
    }

    private static async Task WaitForOffsetAsync(PipelineServer server, string location, long offset) =>
        await TransactionPipeline.Tests.Shared.Polling.WaitUntilAsync(
            async () =>
            {
                using var head = await HeadAsync(server, location);
                return Header(head, "Upload-Offset");
            },
            value => value == offset.ToString(CultureInfo.InvariantCulture),
            PipelineServer.Timeout);

    private static async Task<HttpResponseMessage> HeadAsync(PipelineServer server, string location)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, location);
        request.Headers.Add("Tus-Resumable", "1.0.0");
        return await server.Client.SendAsync(request);
    }

    private static ByteArrayContent OffsetContent(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/offset+octet-stream");
        return content;
    }

    private static async Task<JsonElement> StatusOfAsync(PipelineServer server, string jobId)
    {
        using var response = await server.Client.GetAsync($"/api/jobs/{jobId}/status/");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<string> OffersAsync(PipelineServer server, string jobId)
    {
        using var response = await server.Client.GetAsync($"/api/jobs/{jobId}/offers/");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var offers = await response.Content.ReadFromJsonAsync<JsonElement>();

        // The job id differs; everything the job computed must not.
        return JsonSerializer.Serialize(new { offers = offers.GetProperty("offers"), summary = offers.GetProperty("pipeline_summary"), results = offers.GetProperty("credit_model_results") });
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues)
        : string.Empty;

    /// <summary>Reports on the sending thread, so the list is complete when the upload returns.</summary>
    private sealed class SynchronousProgress(Action<UploadProgress> report) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value) => report(value);
    }

    private sealed class HeaderTenant : IJobTenantProvider
    {
        public const string Header = "X-Test-Tenant";

        public ValueTask<string?> GetTenantAsync(HttpContext context) =>
            ValueTask.FromResult<string?>(context.Request.Headers[Header].ToString() is { Length: > 0 } tenant ? tenant : null);
    }
}

/// <summary>Seed-shaped bodies of a given size, spread over many dates, written to a temporary file.</summary>
internal static class UploadBodies
{
    public static async Task<string> WriteAsync(long size)
    {
        var path = Path.Combine(Path.GetTempPath(), $"txp-upload-{Guid.NewGuid():N}.json");
        await using var file = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 20);
        await file.WriteAsync("""{"data": [""");
        long written = 10;
        for (var i = 0; written < size; i++)
        {
            var date = new DateOnly(2024, 1, 1).AddDays(i % 365);
            var item = string.Create(
                CultureInfo.InvariantCulture,
                $$"""{{(i == 0 ? "" : ",")}}{"amount": {{(i * 7919) % 100_000 / 100m:F2}}, "date": "{{date:yyyy-MM-dd}}", "is_revenue": {{(i % 3 == 0 ? "false" : "true")}}, "description": "upload item {{i}}"}""");
            await file.WriteAsync(item);
            written += item.Length;
        }

        await file.WriteAsync("""], "credit_model_config": {"model_version": "v2.1"}}""");
        return path;
    }
}
