using static TransactionPipeline.Testing.Conformance.StoreTestData;

namespace TransactionPipeline.Testing.Conformance;

/// <summary>What every <see cref="ITransactionStore"/> must do; a store's test project derives one class from it.</summary>
public abstract class TransactionStoreConformanceTests : StoreConformanceTests<ITransactionStore>
{
    [StoreFact]
    public async Task AppendAsync_SeveralBatches_ReadReturnsRowsInInsertOrder()
    {
        var store = await CreateStoreAsync();
        var rows = Enumerable.Range(1, 1_234).Select(i => Row(i, $"row {i}", i % 3 == 0, 1 + (i % 28))).ToArray();

        foreach (var chunk in rows.Chunk(250))
        {
            await store.AppendAsync(JobA, Batch(chunk), default);
        }

        await store.CompleteAsync(JobA, default);
        (await ReadAllAsync(store, JobA)).Should().Equal(rows);
    }

    [StoreFact]
    public async Task AppendAsync_ExtremeAmounts_ReadBackExactly()
    {
        var store = await CreateStoreAsync();
        TransactionRecord[] rows =
        [
            Row(0.01m), Row(-0.01m), Row(0m), Row(-9_999_999_999_999.99m), Row(9_999_999_999_999.99m),
            Row(1_234_567_890_123.45m), Row(100.10m), Row(-42.5m),
        ];

        await store.AppendAsync(JobA, Batch(rows), default);
        await store.CompleteAsync(JobA, default);

        var read = await ReadAllAsync(store, JobA);
        read.Select(r => r.Amount).Should().Equal(rows.Select(r => r.Amount));
        read.Sum(r => r.Amount).Should().Be(1_234_567_890_181.05m);
    }

    [StoreFact]
    public async Task AppendAsync_UnicodeAndEdgeDescriptions_ReadBackUnchanged()
    {
        var store = await CreateStoreAsync();
        TransactionRecord[] rows =
        [
            Row(1m, "Zahlung für Müller – café ☕"), Row(2m, "日本語の説明"), Row(3m, "emoji 🚀 and 'quotes' \"double\""),
            Row(4m, string.Empty), Row(5m, new string('x', 255)), Row(6m, "line\nbreak\ttab"),
        ];

        await store.AppendAsync(JobA, Batch(rows), default);
        await store.CompleteAsync(JobA, default);

        (await ReadAllAsync(store, JobA)).Should().Equal(rows);
    }

    [StoreFact]
    public async Task AppendAsync_DatesAndRevenueFlags_ReadBackUnchanged()
    {
        var store = await CreateStoreAsync();
        TransactionRecord[] rows =
        [
            new(1m, new DateOnly(1, 1, 1), true, "min"), new(2m, new DateOnly(9999, 12, 31), false, "max"),
            new(3m, new DateOnly(2024, 2, 29), true, "leap"),
        ];

        await store.AppendAsync(JobA, Batch(rows), default);
        await store.CompleteAsync(JobA, default);

        (await ReadAllAsync(store, JobA)).Should().Equal(rows);
    }

    [StoreFact]
    public async Task AppendAsync_EmptyBatch_StoresNothing()
    {
        var store = await CreateStoreAsync();

        await store.AppendAsync(JobA, Batch(), default);
        await store.CompleteAsync(JobA, default);

        (await ReadAllAsync(store, JobA)).Should().BeEmpty();
    }

    [StoreFact]
    public async Task AppendAsync_TwoJobsInterleaved_RowsDoNotMix()
    {
        var store = await CreateStoreAsync();

        await store.AppendAsync(JobA, Batch(Row(1m, "a1"), Row(2m, "a2")), default);
        await store.AppendAsync(JobB, Batch(Row(10m, "b1")), default);
        await store.AppendAsync(JobA, Batch(Row(3m, "a3")), default);
        await store.CompleteAsync(JobB, default);
        await store.CompleteAsync(JobA, default);

        (await ReadAllAsync(store, JobA)).Select(r => r.Description).Should().Equal("a1", "a2", "a3");
        (await ReadAllAsync(store, JobB)).Select(r => r.Description).Should().Equal("b1");
    }

    [StoreFact]
    public async Task ListStoredJobsAsync_JobsWithRows_ListedUntilTheirRowsAreDeleted()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(JobA, Batch(Row(1m, "a1")), default);
        await store.AppendAsync(JobB, Batch(Row(2m, "b1")), default);
        await store.CompleteAsync(JobA, default);
        await store.CompleteAsync(JobB, default);

        (await store.ListStoredJobsAsync(default)).Should().BeEquivalentTo([JobA, JobB]);
        await store.DeleteAsync(JobA, default);

        (await (await ReopenStoreAsync()).ListStoredJobsAsync(default)).Should().Equal(JobB);
    }

    [StoreFact]
    public async Task ReadAsync_UnknownJob_ReturnsNothing()
    {
        var store = await CreateStoreAsync();

        (await ReadAllAsync(store, "pipeline_20000101_001")).Should().BeEmpty();
    }

    [StoreFact]
    public async Task DeleteAsync_OneJob_RemovesOnlyItsRows()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(JobA, Batch(Row(1m), Row(2m)), default);
        await store.AppendAsync(JobB, Batch(Row(3m)), default);
        await store.CompleteAsync(JobB, default);

        // Job A's import is still open: deleting it ends the import and removes what it wrote.
        await store.DeleteAsync(JobA, default);

        (await ReadAllAsync(store, JobA)).Should().BeEmpty();
        (await ReadAllAsync(store, JobB)).Should().Equal(Row(3m));
    }

    [StoreFact]
    public async Task AppendAsync_AfterDelete_StartsAFreshSequence()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(JobA, Batch(Row(1m, "old")), default);
        await store.DeleteAsync(JobA, default);

        await store.AppendAsync(JobA, Batch(Row(2m, "new")), default);
        await store.CompleteAsync(JobA, default);

        (await ReadAllAsync(store, JobA)).Should().Equal(Row(2m, "new"));
    }

    [StoreFact]
    public async Task ReopenStoreAsync_AfterACompletedImport_RowsSurviveAndALaterImportContinuesInOrder()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(JobA, Batch(Row(1m, "before"), Row(-0.01m, "before")), default);
        await store.CompleteAsync(JobA, default);

        var reopened = await ReopenStoreAsync();
        await reopened.AppendAsync(JobA, Batch(Row(2m, "after")), default);
        await reopened.CompleteAsync(JobA, default);

        (await ReadAllAsync(reopened, JobA)).Should().Equal(Row(1m, "before"), Row(-0.01m, "before"), Row(2m, "after"));
    }

    [StoreFact]
    public async Task CompleteAsync_AfterTheLastBatch_RowsReadBackInOrderAndSurviveAReopen()
    {
        var store = await CreateStoreAsync();
        var rows = Enumerable.Range(1, 300).Select(i => Row(i, $"row {i}")).ToArray();
        foreach (var chunk in rows.Chunk(120))
        {
            await store.AppendAsync(JobA, Batch(chunk), default);
        }

        await store.CompleteAsync(JobA);

        (await ReadAllAsync(store, JobA)).Should().Equal(rows);
        (await ReadAllAsync(await ReopenStoreAsync(), JobA)).Should().Equal(rows);
    }

    [StoreFact]
    public async Task SumByDateAsync_CompletedImport_NothingOrExactlyTheSumsOfTheRowsPerDate()
    {
        var store = await CreateStoreAsync();
        var rows = Enumerable.Range(1, 2_000).Select(i => Row((i % 2 == 0 ? 1 : -1) * (i / 100m) + 0.01m, $"row {i}", i % 3 == 0, 1 + (i % 9))).ToArray();
        foreach (var chunk in rows.Chunk(700))
        {
            await store.AppendAsync(JobA, Batch(chunk), default);
        }

        await store.AppendAsync(JobB, Batch(Row(5m, "other job", true, 1)), default);
        await store.CompleteAsync(JobA, default);
        await store.CompleteAsync(JobB, default);

        var sums = await store.SumByDateAsync(JobA, default);
        var unknown = await store.SumByDateAsync("pipeline_20000101_001", default);

        if (sums is null)
        {
            unknown.Should().BeNull("a store that does not sum says so for every job");
            return;
        }

        var expected = rows.GroupBy(r => r.Date).Select(g => new DailyAggregate(
            g.Key, g.Sum(r => r.Amount), g.Where(r => r.IsRevenue).Sum(r => r.Amount), g.Count()));
        sums.Should().BeEquivalentTo(expected, "the sums are exact, per date, of this job's rows only");
        unknown.Should().BeEmpty();
    }

    [StoreFact]
    public async Task CompleteAsync_JobWithoutRows_DoesNothing()
    {
        var store = await CreateStoreAsync();

        await store.CompleteAsync(JobA);

        (await ReadAllAsync(store, JobA)).Should().BeEmpty();
    }

    [StoreFact]
    public async Task DeleteAsync_CompletedJobAndUnknownJob_RemovesTheRowsAndIgnoresTheUnknown()
    {
        var store = await CreateStoreAsync();
        await store.AppendAsync(JobA, Batch(Row(1m), Row(2m)), default);
        await store.CompleteAsync(JobA);

        await store.DeleteAsync(JobA, default);
        await store.DeleteAsync("pipeline_20000101_001", default);

        (await ReadAllAsync(store, JobA)).Should().BeEmpty();
        (await ReadAllAsync(await ReopenStoreAsync(), JobA)).Should().BeEmpty();
    }

    [StoreFact]
    public async Task DeleteAsync_NothingEverAppended_DoesNothing()
    {
        var store = await CreateStoreAsync();

        await store.DeleteAsync(JobA, default);

        (await ReadAllAsync(store, JobA)).Should().BeEmpty();
    }
}
