namespace TransactionPipeline.Testing.Conformance;

/// <summary>Values shared by the conformance suites.</summary>
public static class StoreTestData
{
    /// <summary>A fixed creation time, so that ids and lease checks do not depend on the clock.</summary>
    public static readonly DateTimeOffset CreatedAt = new(2024, 12, 1, 9, 30, 0, TimeSpan.Zero);

    public static TransactionBatch Batch(params TransactionRecord[] rows) => new(rows);

    public static TransactionRecord Row(decimal amount, string description = "payment", bool isRevenue = true, int day = 1) =>
        new(amount, new DateOnly(2024, 11, day), isRevenue, description);

    public static async Task<List<TransactionRecord>> ReadAllAsync(ITransactionStore store, string jobId)
    {
        var rows = new List<TransactionRecord>();
        await foreach (var row in store.ReadAsync(jobId, CancellationToken.None))
        {
            rows.Add(row);
        }

        return rows;
    }
}
