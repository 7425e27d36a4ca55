namespace TransactionPipeline.Sqlite.Tests;

/// <summary>The store's cache of job keys stays bounded however many jobs a process writes.</summary>
public sealed class JobKeyCacheTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    [Fact]
    public async Task AppendAsync_ManyJobs_CacheStaysBoundedAndRowsStayWithTheirJobs()
    {
        var store = _database.CreateStore();
        var jobs = SqliteStore.MaxCachedJobKeys * 2 + 10;
        for (var i = 0; i < jobs; i++)
        {
            await ((ITransactionStore)store).AppendAsync($"pipeline_20241201_{i:D5}", StoreTestData.Batch(StoreTestData.Row(i + 1)), default);
            store.CachedJobKeys.Should().BeLessThanOrEqualTo(SqliteStore.MaxCachedJobKeys);
        }

        // Keys dropped from the cache are looked up again: the first job's row is still its own.
        var first = await StoreTestData.ReadAllAsync(store, "pipeline_20241201_00000");
        first.Should().ContainSingle().Which.Amount.Should().Be(1);
        var last = await StoreTestData.ReadAllAsync(store, $"pipeline_20241201_{jobs - 1:D5}");
        last.Should().ContainSingle().Which.Amount.Should().Be(jobs);
    }

    public void Dispose() => _database.Dispose();
}
