namespace TransactionPipeline.Testing.Conformance;

/// <summary>What every <see cref="IWebhookStore"/> must do; a store's test project derives one class from it.</summary>
public abstract class WebhookStoreConformanceTests : StoreConformanceTests<IWebhookStore>
{
    private static readonly DateTimeOffset Registered = new(2024, 12, 1, 9, 30, 0, TimeSpan.Zero);

    private static WebhookSubscription Subscription(string id, int minutes = 0, string jobId = JobA) => new(
        id, jobId, new Uri("https://receiver.example/hooks?x=1"), ["JOB_COMPLETE", "FAILED"], "whsec_c2VjcmV0", Registered.AddMinutes(minutes));

    [StoreFact]
    public async Task SaveAsync_NewSubscription_ListsItUnfinishedWithEveryField()
    {
        var store = await CreateStoreAsync();

        await store.SaveAsync(Subscription("wh_1"), default);

        var listed = (await store.ListUnfinishedAsync(default)).Should().ContainSingle().Subject;
        listed.Should().BeEquivalentTo(Subscription("wh_1"));
    }

    [StoreFact]
    public async Task MarkDeliveredAsync_Progress_SurvivesReopen()
    {
        var store = await CreateStoreAsync();
        await store.SaveAsync(Subscription("wh_1"), default);

        await store.MarkDeliveredAsync("wh_1", 4, finished: false, default);
        await store.MarkDeliveredAsync("wh_1", 2, finished: false, default);

        var reopened = await ReopenStoreAsync();
        (await reopened.ListUnfinishedAsync(default)).Should().ContainSingle().Which.DeliveredThrough.Should().Be(4, "progress never goes back");
    }

    [StoreFact]
    public async Task MarkDeliveredAsync_Finished_NoLongerListed()
    {
        var store = await CreateStoreAsync();
        await store.SaveAsync(Subscription("wh_1"), default);
        await store.SaveAsync(Subscription("wh_2", minutes: 1), default);

        await store.MarkDeliveredAsync("wh_1", 7, finished: true, default);

        (await store.ListUnfinishedAsync(default)).Select(s => s.Id).Should().Equal("wh_2");
    }

    [StoreFact]
    public async Task ListUnfinishedAsync_Several_OldestFirst()
    {
        var store = await CreateStoreAsync();
        await store.SaveAsync(Subscription("wh_late", minutes: 5), default);
        await store.SaveAsync(Subscription("wh_early", minutes: 1), default);

        (await store.ListUnfinishedAsync(default)).Select(s => s.Id).Should().Equal("wh_early", "wh_late");
    }

    [StoreFact]
    public async Task DeleteForJobAsync_DeliveredAndPending_RemovesOnlyThatJobsSubscriptions()
    {
        var store = await CreateStoreAsync();
        foreach (var subscription in (WebhookSubscription[])[Subscription("wh_1"), Subscription("wh_2", minutes: 1), Subscription("wh_other", minutes: 2, jobId: JobB)])
        {
            await store.SaveAsync(subscription, default);
        }

        await store.MarkDeliveredAsync("wh_2", 3, finished: true, default);

        await store.DeleteForJobAsync(JobA, default);
        await store.DeleteForJobAsync("pipeline_20000101_001", default);

        (await (await ReopenStoreAsync()).ListUnfinishedAsync(default)).Select(s => s.Id).Should().Equal("wh_other");
    }
}
