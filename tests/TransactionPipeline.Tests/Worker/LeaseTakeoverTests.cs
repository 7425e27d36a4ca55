using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using TransactionPipeline.Jobs;
using TransactionPipeline.Testing;

namespace TransactionPipeline.Tests.Worker;

/// <summary>A host whose lease was taken over while it ran a job writes nothing more for that job.</summary>
public sealed class LeaseTakeoverTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RunAsync_LeaseTakenWhileTheCreditModelRuns_TheFormerOwnerWritesNoStatusEventsResultsOrDeletes()
    {
        var store = new InMemoryStore();
        var gate = new GatedCreditModel();
        await using var gatedA = CreateGatedHost(store, gate);
        var pipeline = gatedA.GetRequiredService<IPipeline>();

        var run = pipeline.RunAsync(PipelineInput.FromJson(TestData.Stream(TestData.Generated(60, days: 3))), CancellationToken.None);
        var jobId = await gate.Entered.WaitAsync(Patience);

        // Host B finds the lease stale and takes the job over, then writes as its new owner.
        var now = DateTimeOffset.UtcNow;
        (await store.TryClaimAsync(new JobClaim(jobId, "host-b", now, DateTimeOffset.MaxValue), default)).Should().BeTrue();
        var taken = (await store.FindAsync(jobId, default))! with { UpdatedAt = now.AddSeconds(1) };
        await store.UpdateAsync(new JobUpdate(taken, "host-b", JobEventTypes.ImportProgress), default);
        var eventsAtTakeover = await store.ReadEventsAsync(jobId, 0, default);
        var rowsAtTakeover = await CountRowsAsync(store, jobId);

        gate.Release();
        var answered = await run.WaitAsync(Patience);

        answered.Should().Be(taken, "the former owner answers the job as the new owner left it");
        (await store.FindAsync(jobId, default)).Should().Be(taken);
        (await store.ReadEventsAsync(jobId, 0, default)).Should().Equal(eventsAtTakeover, "no event of the former owner follows the takeover");
        (await ((IResultStore)store).FindAsync(jobId, default)).Should().BeNull();
        (await CountRowsAsync(store, jobId)).Should().Be(rowsAtTakeover, "the new owner's rows are not deleted").And.Be(60);
    }

    [Fact]
    public async Task ProcessJobsAsync_LeaseTakenWhileAQueuedJobRuns_RecoveryStopsTheRunAndItWritesNothing()
    {
        var store = new InMemoryStore();
        var gate = new GatedCreditModel(honourCancellation: true);
        await using var host = CreateGatedHost(store, gate);
        var pipeline = host.GetRequiredService<IPipeline>();
        var submitted = await pipeline.SubmitAsync(PipelineInput.FromJson(TestData.Stream(TestData.Generated(30, days: 2))), CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var worker = host.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token);
        var jobId = await gate.Entered.WaitAsync(Patience);
        jobId.Should().Be(submitted.JobId);

        (await store.TryClaimAsync(new JobClaim(jobId, "host-b", DateTimeOffset.UtcNow, DateTimeOffset.MaxValue), default)).Should().BeTrue();
        var eventsAtTakeover = await store.ReadEventsAsync(jobId, 0, default);

        // The recovery tick sees the lost lease and cancels the run, which then must not fail the job it no longer owns.
        (await gate.Cancelled.WaitAsync(Patience)).Should().BeTrue();
        await stop.CancelAsync();
        await worker.WaitAsync(Patience);

        var status = await store.FindAsync(jobId, default);
        status!.IsTerminal.Should().BeFalse("host-b owns the job now; the former owner did not fail it");
        (await store.ReadEventsAsync(jobId, 0, default)).Should().Equal(eventsAtTakeover);
        (await CountRowsAsync(store, jobId)).Should().Be(30);
    }

    [Fact]
    public async Task ProcessJobsAsync_HostStopsWhileAJobRuns_TheJobStaysUnfinishedAndTheNextHostCompletesIt()
    {
        var store = new InMemoryStore();
        var gate = new GatedCreditModel(honourCancellation: true);
        var spans = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "TransactionPipeline" or nameof(LeaseTakeoverTests),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(tracing);
        using var testSource = new ActivitySource(nameof(LeaseTakeoverTests));
        ActivityTraceId trace;
        string jobId;
        await using (var stopping = CreateGatedHost(store, gate))
        {
            JobStatus submitted;
            using (var root = testSource.StartActivity("submit")!)
            {
                // This test's own trace: other tests running alongside reuse job ids of their own stores.
                trace = root.TraceId;
                submitted = await stopping.GetRequiredService<IPipeline>()
                    .SubmitAsync(PipelineInput.FromJson(TestData.Stream(TestData.Generated(30, days: 3))));
            }

            using var stop = new CancellationTokenSource();
            var worker = stopping.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token);
            jobId = await gate.Entered.WaitAsync(Patience);
            jobId.Should().Be(submitted.JobId);

            await stop.CancelAsync();
            await worker.WaitAsync(Patience);
        }

        var left = await store.FindAsync(jobId, default);
        left!.IsTerminal.Should().BeFalse("a host that stops leaves its jobs for the next one instead of failing them");
        (await store.ReadEventsAsync(jobId, 0, default)).Select(e => e.EventType).Should().NotContain(JobEventTypes.Failed);

        await using var next = WorkerFaultTests.CreateHost(store);
        long takeovers = 0;
        var meter = next.GetRequiredService<PipelineTelemetry>().Meter;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "transaction_pipeline.lease.takeovers")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref takeovers, value));
        listener.Start();
        using var stopNext = new CancellationTokenSource();
        var nextWorker = next.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stopNext.Token);
        var done = await next.GetRequiredService<IPipeline>().WaitForCompletionAsync(jobId).WaitAsync(Patience);
        await stopNext.CancelAsync();
        await nextWorker.WaitAsync(Patience);

        done.State.Should().Be(JobState.JobComplete, done.Error?.Message);
        (await next.GetRequiredService<IPipeline>().GetResultAsync(jobId))!.Offers.Should().HaveCount(3);
        Interlocked.Read(ref takeovers).Should().Be(1, "the next host counts the job it took over");
        var ofJob = spans.Where(s => s.TraceId == trace && (string?)s.GetTagItem("transaction_pipeline.job.id") == jobId).ToList();
        var job = ofJob.Single(s => s.OperationName == "transaction_pipeline.job");
        ofJob.Where(s => s.OperationName == "transaction_pipeline.stages").Should().HaveCount(2, "the first host began the stages, the next ran them")
            .And.OnlyContain(s => s.ParentSpanId == job.SpanId && s.TraceId == job.TraceId, "the next host continues the job's trace from the context stored with it");
    }

    private static ServiceProvider CreateGatedHost(InMemoryStore store, GatedCreditModel gate)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ICreditModel>(gate);
        services.AddSingleton(store);
        services.AddTransactionPipeline(o =>
        {
            o.ProgressInterval = TimeSpan.FromMilliseconds(10);
            o.EventPollInterval = TimeSpan.FromMilliseconds(20);
            o.RecoveryInterval = TimeSpan.FromMilliseconds(20);
        }).UseStorage<InMemoryStore>();
        return services.BuildServiceProvider();
    }

    private static async Task<int> CountRowsAsync(InMemoryStore store, string jobId)
    {
        var count = 0;
        await foreach (var _ in ((ITransactionStore)store).ReadAsync(jobId, default))
        {
            count++;
        }

        return count;
    }

    /// <summary>Scores like the default model, once the test lets it go on.</summary>
    private sealed class GatedCreditModel(bool honourCancellation = false) : ICreditModel
    {
        private readonly TaskCompletionSource<string> _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<bool> _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string> Entered => _entered.Task;

        public Task<bool> Cancelled => _cancelled.Task;

        public void Release() => _release.TrySetResult();

        public async ValueTask<IReadOnlyList<CreditAssessment>> ScoreAsync(CreditModelContext context, CancellationToken cancellationToken)
        {
            _entered.TrySetResult(context.JobId);
            if (honourCancellation)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    _cancelled.TrySetResult(true);
                    throw;
                }
            }

            await _release.Task;
            return await new TransactionPipeline.Credit.DefaultCreditModel().ScoreAsync(context, cancellationToken);
        }
    }
}
