using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TransactionPipeline.Testing;
using TransactionPipeline.Testing.Conformance;
using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.Tests.Worker;

/// <summary>A store that goes away in the middle of an import: the job ends FAILED with the true cause once the store answers.</summary>
public sealed class StoreOutageTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SubmitAsync_StoreGoesDownMidImport_FailsAsStoreUnavailableWithItsCountsAndTheStoreSaysSoOnceBack()
    {
        var store = new FlakyStore(new InMemoryStore(), failures: 0);
        await using var services = CreateHost(store);
        var pipeline = services.GetRequiredService<IPipeline>();
        using var stop = new CancellationTokenSource();
        var worker = services.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token);
        var body = TestData.Stream(TestData.Generated(4_000, days: 20));
        using var input = new TriggerStream(body, triggerAt: body.Length / 2, store.GoDown);

        var failed = await pipeline.SubmitAsync(PipelineInput.FromJson(input), CancellationToken.None);

        failed.State.Should().Be(JobState.Failed, "the caller learns the job's end at once, though the store is down");
        failed.Error!.Kind.Should().Be(JobErrorKind.StoreUnavailable);
        failed.Error.Message.Should().Contain("Injected store outage").And.Contain($"after {failed.Progress.TransactionsImported} transactions");
        failed.Progress.TransactionsImported.Should().BeGreaterThan(0);
        (await store.Inner.FindAsync(failed.JobId, default))!.State.Should().Be(JobState.InProgress, "the store has not heard of the failure yet");

        store.EndOutage();
        var stored = await WorkerFaultTests.WaitUntilAsync(async () => await store.Inner.FindAsync(failed.JobId, default), s => s!.IsTerminal);

        stored!.State.Should().Be(JobState.Failed);
        stored.Error.Should().Be(failed.Error, "the failure is written with its own cause, not as an interruption");
        var events = await store.Inner.ReadEventsAsync(failed.JobId, 0, default);
        var imported = events.Select(e => e.Status.Progress.TransactionsImported).ToList();
        imported.Should().BeInAscendingOrder("counts never go backwards, the FAILED event included");
        events[^1].EventType.Should().Be(JobEventTypes.Failed);
        events[^1].Status.Progress.Should().Be(failed.Progress);
        (await WorkerFaultTests.WaitUntilAsync(async () => await StoreTestData.ReadAllAsync(store.Inner, failed.JobId), rows => rows.Count == 0))
            .Should().BeEmpty("the partial rows are removed once the store answers");

        var next = await pipeline.SubmitAsync(PipelineInput.FromJson(TestData.Stream(TestData.Generated(30, days: 3))), CancellationToken.None);
        (await pipeline.WaitForCompletionAsync(next.JobId, CancellationToken.None).WaitAsync(Patience)).State.Should().Be(JobState.JobComplete);
        await stop.CancelAsync();
        await worker.WaitAsync(Patience);
    }

    [Fact]
    public async Task SubmitAsync_RowsCannotBeDeletedAfterTheFailure_TheJobIsFailedFirstAndRemovalIsRetriedUntilDone()
    {
        var store = new FlakyStore(new InMemoryStore(), failures: 0);
        await using var services = CreateHost(store);
        var pipeline = services.GetRequiredService<IPipeline>();
        using var stop = new CancellationTokenSource();
        var worker = services.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token);
        var body = TestData.Body(TestData.Item("1.00", "2024-01-01", true), TestData.Item("2.00", "2024-01-02", true), TestData.Item("1.001", "2024-01-03", true));
        store.FailDeletes = true;

        var failed = await pipeline.SubmitAsync(PipelineInput.FromJson(TestData.Stream(body)), CancellationToken.None);

        failed.Error!.Kind.Should().Be(JobErrorKind.InvalidInput);
        (await store.Inner.FindAsync(failed.JobId, default))!.State.Should().Be(JobState.Failed, "the mark comes before the removal");
        store.FailDeletes = false;
        (await WorkerFaultTests.WaitUntilAsync(async () => await StoreTestData.ReadAllAsync(store.Inner, failed.JobId), rows => rows.Count == 0))
            .Should().BeEmpty("recovery retries the removal until it succeeds");
        await stop.CancelAsync();
        await worker.WaitAsync(Patience);
    }

    private static ServiceProvider CreateHost(FlakyStore store)
    {
        return WorkerFaultTests.CreateHost(
            store,
            o => o.ImportBatchSize = 100,
            services => services.TryAddEnumerable(ServiceDescriptor.Singleton<IStoreErrorClassifier, FlakyStore.Classifier>()));
    }
}
