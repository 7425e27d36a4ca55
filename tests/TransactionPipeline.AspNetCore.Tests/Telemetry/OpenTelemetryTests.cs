using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OpenTelemetry.Trace;

namespace TransactionPipeline.AspNetCore.Tests.Telemetry;

/// <summary>What an OpenTelemetry collector gets from a host that wires the pipeline as docs/observability.md says.</summary>
public sealed partial class OpenTelemetryTests
{
    [Fact]
    public async Task Job_SubmittedOverHttp_ItsSpansFormOneTraceFromTheRequestToTheLastStage()
    {
        var spans = new List<Activity>();
        await using var server = await PipelineServer.StartAsync(pipeline: p => p.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource("TransactionPipeline", "Microsoft.AspNetCore").AddInMemoryExporter(spans)));

        // The request carries a trace of this test's own: hosts of tests running alongside emit spans too, with the same job ids.
        var trace = ActivityTraceId.CreateRandom();
        using var submit = new HttpRequestMessage(HttpMethod.Post, "/api/financial-transactions/process-transactions/")
        {
            Content = new StringContent(SeedSample.Request, System.Text.Encoding.UTF8, "application/json"),
        };
        submit.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        using var submitted = await server.Client.SendAsync(submit);
        submitted.StatusCode.Should().Be(System.Net.HttpStatusCode.Accepted);
        var jobId = (await submitted.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("job_id").GetString()!;
        var done = await server.WaitForStatusAsync(jobId, "JOB_COMPLETE", "FAILED");
        done.GetProperty("status").GetString().Should().Be("JOB_COMPLETE");
        server.Services.GetRequiredService<TracerProvider>().ForceFlush();

        List<Activity> ended;
        lock (spans)
        {
            ended = [.. spans.Where(s => s.TraceId == trace)];
        }

        var job = ended.Single(s => s.OperationName == "transaction_pipeline.job" && (string?)s.GetTagItem("transaction_pipeline.job.id") == jobId);
        var request = ended.Single(s => s.SpanId == job.ParentSpanId);
        Activity Child(Activity parent, string name) => ended.Should().ContainSingle(s => s.ParentSpanId == parent.SpanId && s.OperationName == name).Subject;

        request.Source.Name.Should().Be("Microsoft.AspNetCore", "the job is a child of the submit request's span");
        var import = Child(job, "transaction_pipeline.import");
        var stages = Child(job, "transaction_pipeline.stages");
        string[] stageNames = ["transaction_pipeline.aggregate", "transaction_pipeline.credit_model", "transaction_pipeline.offers", "transaction_pipeline.results"];
        var eachStage = stageNames.Select(name => Child(stages, name)).ToList();
        new[] { job, import, stages }.Concat(eachStage).Should().OnlyContain(s => s.TraceId == request.TraceId, "one trace from the request to the last stage");
        import.GetTagItem("transaction_pipeline.transactions").Should().Be(done.GetProperty("progress").GetProperty("transactions_imported").GetInt64());
        eachStage.Select(s => s.StartTimeUtc).Should().BeInAscendingOrder();
        eachStage.Should().OnlyContain(s => s.Status != ActivityStatusCode.Error);
    }

    [Fact]
    public async Task Instruments_AGoodJobABadJobAndAWebhook_EveryInstrumentOfTheDocumentMoves()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await PipelineServer.StartAsync(pipeline: p => p.Services.AddMetrics());
        // Collectors on this host's IMeterFactory: hosts of tests running alongside have meters of the same name.
        var factory = server.Services.GetRequiredService<IMeterFactory>();
        var longs = Documented().Except(NotMovedHere).Where(n => n != "transaction_pipeline.stage.duration")
            .ToDictionary(n => n, n => new MetricCollector<long>(factory, "TransactionPipeline", n));
        using var durations = new MetricCollector<double>(factory, "TransactionPipeline", "transaction_pipeline.stage.duration");

        var good = await server.SubmitSampleAsync();
        using (var registered = await server.Client.PostAsJsonAsync(
            "/api/jobs/webhooks/register/", new { job_id = good, webhook_url = receiver.Url, events = new[] { "JOB_COMPLETE" } }))
        {
            registered.EnsureSuccessStatusCode();
        }

        await server.WaitForStatusAsync(good, "JOB_COMPLETE");
        await receiver.NextAsync();
        using (var bad = await server.SubmitAsync("""{"data": [{"amount": "1.001", "date": "2024-01-15", "is_revenue": true, "description": "x"}]}"""))
        {
            bad.StatusCode.Should().Be(System.Net.HttpStatusCode.BadRequest);
        }

        var moved = await TransactionPipeline.Tests.Shared.Polling.WaitUntilAsync(
            () =>
            {
                var names = longs.Where(c =>
                {
                    c.Value.RecordObservableInstruments();
                    // An observable instrument reads 0 at a quiet moment: that it was read at all shows it is wired.
                    return c.Value.GetMeasurementSnapshot().Any(m => m.Value != 0 || c.Key is "transaction_pipeline.jobs.in_progress" or "transaction_pipeline.queue.length");
                }).Select(c => c.Key).ToHashSet();
                if (durations.GetMeasurementSnapshot().Count > 0)
                {
                    names.Add("transaction_pipeline.stage.duration");
                }

                return Task.FromResult(names);
            },
            names => names.IsSupersetOf(Documented().Except(NotMovedHere)),
            PipelineServer.Timeout);

        moved.Should().BeEquivalentTo(Documented().Except(NotMovedHere), "every instrument docs/observability.md lists moves");
        longs["transaction_pipeline.jobs.failed"].GetMeasurementSnapshot().Should().ContainSingle()
            .Which.Tags["error.type"].Should().Be("invalid_input");
        durations.GetMeasurementSnapshot().Select(m => m.Tags["transaction_pipeline.stage"]).Distinct()
            .Should().BeEquivalentTo(["import", "aggregate", "credit_model", "offers", "results"]);
        foreach (var collector in longs.Values)
        {
            collector.Dispose();
        }
    }

    /// <summary>Moves only on a take-over between hosts; LeaseTakeoverTests in the core's tests reads it.</summary>
    private static readonly string[] NotMovedHere = ["transaction_pipeline.lease.takeovers"];

    private static List<string> Documented()
    {
        var document = File.ReadAllText(Path.Combine(Repository(), "docs", "observability.md"));
        var metrics = document[document.IndexOf("## Metrics", StringComparison.Ordinal)..document.IndexOf("## Traces", StringComparison.Ordinal)];
        return [.. InstrumentRow().Matches(metrics).Select(m => m.Groups["name"].Value)];
    }

    private static string Repository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Pipeline.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException("The tests run outside the repository.");
    }

    [GeneratedRegex(@"^\| `(?<name>transaction_pipeline\.[a-z_.]+)` \|", RegexOptions.Multiline)]
    private static partial Regex InstrumentRow();
}
