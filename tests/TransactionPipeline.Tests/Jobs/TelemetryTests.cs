using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using TransactionPipeline.Jobs;
using TransactionPipeline.Tests.Pipeline;

namespace TransactionPipeline.Tests.Jobs;

/// <summary>What an operator's collector sees: the pipeline's instruments and spans, read by the runtime's own listeners.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task RunAsync_OneGoodAndOneBadJob_CountsThemTimesEachStageAndTracesEachJobWithItsStages()
    {
        await using var fixture = new PipelineFixture();
        var meter = fixture.Services.GetRequiredService<PipelineTelemetry>().Meter;
        var measurements = new ConcurrentBag<(string Name, double Value, string? Tag)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add((i.Name, v, Tag(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add((i.Name, v, Tag(tags))));
        listener.Start();
        var spans = new ConcurrentBag<Activity>();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "TransactionPipeline" or nameof(TelemetryTests),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(tracing);

        // Each run under a root span of this test: tests running alongside reuse the job ids of their own stores.
        using var testSource = new ActivitySource(nameof(TelemetryTests));
        JobStatus good, bad;
        ActivityTraceId goodTrace, badTrace;
        using (var root = testSource.StartActivity("good")!)
        {
            goodTrace = root.TraceId;
            good = await fixture.RunAsync(TestData.Body(TestData.Item("10.00", "2024-01-15", true), TestData.Item("5.00", "2024-01-16", false)));
        }

        using (var root = testSource.StartActivity("bad")!)
        {
            badTrace = root.TraceId;
            bad = await fixture.RunAsync(TestData.Body(TestData.Item("1.001", "2024-01-15", true)));
        }

        listener.RecordObservableInstruments();

        good.State.Should().Be(JobState.JobComplete);
        bad.State.Should().Be(JobState.Failed);
        Sum("transaction_pipeline.jobs.started").Should().Be(2);
        Sum("transaction_pipeline.jobs.completed").Should().Be(1);
        measurements.Where(m => m.Name == "transaction_pipeline.jobs.failed").Should().ContainSingle().Which.Tag.Should().Be("invalid_input");
        Sum("transaction_pipeline.transactions.imported").Should().BeGreaterThanOrEqualTo(2);
        Sum("transaction_pipeline.input.read").Should().BeGreaterThan(0);
        measurements.Where(m => m.Name == "transaction_pipeline.stage.duration").Select(m => m.Tag).Distinct()
            .Should().BeEquivalentTo("import", "aggregate", "credit_model", "offers", "results");
        measurements.Should().Contain(m => m.Name == "transaction_pipeline.jobs.in_progress");

        var job = spans.Single(s => s.TraceId == goodTrace && s.OperationName == "transaction_pipeline.job");
        job.GetTagItem("transaction_pipeline.job.id").Should().Be(good.JobId);
        spans.Where(s => s.ParentSpanId == job.SpanId).Select(s => s.OperationName)
            .Should().BeEquivalentTo("transaction_pipeline.import", "transaction_pipeline.stages");
        var failedJob = spans.Single(s => s.TraceId == badTrace && s.OperationName == "transaction_pipeline.job");
        failedJob.GetTagItem("transaction_pipeline.job.id").Should().Be(bad.JobId);
        failedJob.Status.Should().Be(ActivityStatusCode.Error);
        failedJob.GetTagItem("error.type").Should().Be("invalid_input");

        double Sum(string name) => measurements.Where(m => m.Name == name).Sum(m => m.Value);
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags) => tags.Length == 0 ? null : tags[0].Value?.ToString();
}
