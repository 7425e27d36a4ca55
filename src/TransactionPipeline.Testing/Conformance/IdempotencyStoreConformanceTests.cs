namespace TransactionPipeline.Testing.Conformance;

/// <summary>What every <see cref="IIdempotencyStore"/> must do; a store's test project derives one class from it.</summary>
public abstract class IdempotencyStoreConformanceTests : StoreConformanceTests<IIdempotencyStore>
{
    private static readonly DateTimeOffset First = new(2024, 12, 1, 9, 30, 0, TimeSpan.Zero);

    private static IdempotencyRecord Record(string token, string key = "retry-1", string scope = "", int minutes = 0) =>
        new(scope, key, token, First.AddMinutes(minutes));

    [StoreFact]
    public async Task TryAddAsync_NewKey_StoresIt()
    {
        var store = await CreateStoreAsync();

        var holder = await store.TryAddAsync(Record("t1"), First.AddDays(-1), default);

        holder.Should().Be(Record("t1"));
    }

    [StoreFact]
    public async Task TryAddAsync_LiveKey_AnswersTheRecordThatHoldsIt()
    {
        var store = await CreateStoreAsync();
        await store.TryAddAsync(Record("t1"), First.AddDays(-1), default);
        (await store.UpdateAsync(Record("t1") with { JobId = "job_a", Fingerprint = "sha-256=abc" }, default)).Should().BeTrue();

        var reopened = await ReopenStoreAsync();
        var holder = await reopened.TryAddAsync(Record("t2", minutes: 5), First.AddDays(-1), default);

        holder.Should().Be(Record("t1") with { JobId = "job_a", Fingerprint = "sha-256=abc" });
    }

    [StoreFact]
    public async Task TryAddAsync_ExpiredKey_ReplacesIt()
    {
        var store = await CreateStoreAsync();
        await store.TryAddAsync(Record("t1"), First.AddDays(-1), default);

        var holder = await store.TryAddAsync(Record("t2", minutes: 60), expiredBefore: First.AddMinutes(1), default);

        holder.Token.Should().Be("t2");
    }

    [StoreFact]
    public async Task TryAddAsync_SameKeyOtherScope_IsAnotherKey()
    {
        var store = await CreateStoreAsync();
        await store.TryAddAsync(Record("t1", scope: "tenant-a"), First.AddDays(-1), default);

        var holder = await store.TryAddAsync(Record("t2", scope: "tenant-b"), First.AddDays(-1), default);

        holder.Token.Should().Be("t2");
    }

    [StoreFact]
    public async Task TryAddAsync_ConcurrentFirstUses_OneWins()
    {
        var store = await CreateStoreAsync();

        var holders = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => store.TryAddAsync(Record($"t{i}"), First.AddDays(-1), default).AsTask()));

        holders.Select(h => h.Token).Distinct().Should().ContainSingle("every request sees the one record that won");
    }

    [StoreFact]
    public async Task UpdateAsync_OtherToken_ChangesNothing()
    {
        var store = await CreateStoreAsync();
        await store.TryAddAsync(Record("t1"), First.AddDays(-1), default);

        (await store.UpdateAsync(Record("t2") with { JobId = "job_b" }, default)).Should().BeFalse();

        (await store.TryAddAsync(Record("t3"), First.AddDays(-1), default)).JobId.Should().BeNull();
    }

    [StoreFact]
    public async Task RemoveAsync_OwnToken_FreesTheKey_OtherTokenDoesNot()
    {
        var store = await CreateStoreAsync();
        await store.TryAddAsync(Record("t1"), First.AddDays(-1), default);

        (await store.RemoveAsync(Record("t2"), default)).Should().BeFalse();
        (await store.RemoveAsync(Record("t1"), default)).Should().BeTrue();

        (await store.TryAddAsync(Record("t3"), First.AddDays(-1), default)).Token.Should().Be("t3");
    }

    [StoreFact]
    public async Task RemoveExpiredAsync_RemovesOnlyOlderRecords()
    {
        var store = await CreateStoreAsync();
        await store.TryAddAsync(Record("old", key: "a"), First.AddDays(-1), default);
        await store.TryAddAsync(Record("new", key: "b", minutes: 10), First.AddDays(-1), default);

        (await store.RemoveExpiredAsync(First.AddMinutes(5), default)).Should().Be(1);

        (await store.TryAddAsync(Record("x", key: "a", minutes: 20), First.AddDays(-1), default)).Token.Should().Be("x");
        (await store.TryAddAsync(Record("y", key: "b", minutes: 20), First.AddDays(-1), default)).Token.Should().Be("new");
    }
}
