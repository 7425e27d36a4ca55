using Microsoft.Extensions.DependencyInjection;
using TransactionPipeline.Testing;

namespace TransactionPipeline.Tests.Worker;

/// <summary>A job goes from its import to the worker's queue without recovery on the same host ever seeing it unheld.</summary>
public sealed class HandOverTests
{
    [Fact]
    public async Task SubmitAsync_WhileRecoveryTicksConstantly_EveryJobRunsItsStagesOnce()
    {
        var store = new InMemoryStore();
        await using var host = WorkerFaultTests.CreateHost(store, o => o.RecoveryInterval = TimeSpan.FromMilliseconds(10));
        var pipeline = host.GetRequiredService<IPipeline>();
        using var stop = new CancellationTokenSource();
        var worker = host.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token);

        var jobs = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            jobs.Add((await pipeline.SubmitAsync(PipelineInput.FromJson(TestData.Stream(TestData.Generated(5, days: 2))))).JobId);
        }

        foreach (var jobId in jobs)
        {
            (await pipeline.WaitForCompletionAsync(jobId).WaitAsync(TimeSpan.FromSeconds(30))).State.Should().Be(JobState.JobComplete);
            var events = await store.ReadEventsAsync(jobId, 0, default);
            events.Count(e => e.EventType == JobEventTypes.AggregationCompleted).Should().Be(1, $"{jobId} was run once");
            events.Select(e => e.EventType).Should().NotContain(JobEventTypes.Failed);
        }

        await stop.CancelAsync();
        await worker.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
