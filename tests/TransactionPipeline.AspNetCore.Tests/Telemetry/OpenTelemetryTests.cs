using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
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

        var jobId = await server.SubmitSampleAsync();
        var done = await server.WaitForStatusAsync(jobId, "JOB_COMPLETE", "FAILED");
        done.GetProperty("status").GetString().Should().Be("JOB_COMPLETE");
        server.Services.GetRequiredService<TracerProvider>().ForceFlush();

        List<Activity> ended;
        lock (spans)
        {
            ended = [.. spans];
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
        var metrics = new List<Metric>();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var server = await PipelineServer.StartAsync(pipeline: p => p.Services.AddOpenTelemetry()
            .WithMetrics(m => m.AddMeter("TransactionPipeline").AddInMemoryExporter(metrics)));

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

        var provider = server.Services.GetRequiredService<MeterProvider>();
        var moved = await TransactionPipeline.Tests.Shared.Polling.WaitUntilAsync(
            () =>
            {
                provider.ForceFlush();
                lock (metrics)
                {
                    return Task.FromResult(metrics.Where(Moved).Select(m => m.Name).ToHashSet());
                }
            },
            names => names.IsSupersetOf(Documented().Except(NotMovedHere)),
            PipelineServer.Timeout);

        moved.Should().BeEquivalentTo(Documented().Except(NotMovedHere), "every instrument docs/observability.md lists moves");
    }

    /// <summary>Moves only on a take-over between hosts; LeaseTakeoverTests in the core's tests reads it.</summary>
    private static readonly string[] NotMovedHere = ["transaction_pipeline.lease.takeovers"];

    private static List<string> Documented()
    {
        var document = File.ReadAllText(Path.Combine(Repository(), "docs", "observability.md"));
        var metrics = document[document.IndexOf("## Metrics", StringComparison.Ordinal)..document.IndexOf("## Traces", StringComparison.Ordinal)];
        return [.. InstrumentRow().Matches(metrics).Select(m => m.Groups["name"].Value)];
    }

    private static bool Moved(Metric metric)
    {
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var moved = metric.MetricType switch
            {
                MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong() != 0,
                MetricType.LongGauge => true,
                MetricType.Histogram => point.GetHistogramCount() > 0,
                _ => false,
            };
            if (moved)
            {
                return true;
            }
        }

        // Observable instruments of a quiet moment read 0; that they were read at all shows they are wired.
        return metric.MetricType is MetricType.LongSumNonMonotonic or MetricType.LongGauge;
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
