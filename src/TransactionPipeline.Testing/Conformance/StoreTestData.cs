namespace TransactionPipeline.Testing.Conformance;

/// <summary>Values shared by the conformance suites.</summary>
public static class StoreTestData
{
    /// <summary>A fixed creation time, so that ids and lease checks do not depend on the clock.</summary>
    public static readonly DateTimeOffset CreatedAt = new(2024, 12, 1, 9, 30, 0, TimeSpan.Zero);

    /// <summary>Creates a job as the pipeline does: reserves the day's number, formats the id and stores the job with its <c>JOB_CREATED</c> event.</summary>
    /// <param name="store">The store.</param>
    /// <param name="ownerId">The owner.</param>
    /// <param name="createdAt">The creation time; its UTC day numbers the job.</param>
    /// <param name="bytesTotal">The input's length, when known.</param>
    /// <returns>The job as the store keeps it.</returns>
    public static async Task<JobStatus> CreateJobAsync(IJobStore store, string ownerId, DateTimeOffset createdAt, long? bytesTotal = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var day = JobIds.DayOf(createdAt);
        var number = await store.ReserveJobNumberAsync(day, default).ConfigureAwait(false);
        return await store.CreateAsync(NewJob.Open(JobIds.Format(day, number), ownerId, createdAt, bytesTotal), default).ConfigureAwait(false);
    }

    /// <summary>Wraps rows into a batch.</summary>
    /// <param name="rows">The rows.</param>
    /// <returns>The batch.</returns>
    public static TransactionBatch Batch(params TransactionRecord[] rows) => new(rows);

    /// <summary>Makes a transaction of November 2024.</summary>
    /// <param name="amount">The amount.</param>
    /// <param name="description">The description.</param>
    /// <param name="isRevenue">Whether it is revenue.</param>
    /// <param name="day">The day of November 2024.</param>
    /// <returns>The transaction.</returns>
    public static TransactionRecord Row(decimal amount, string description = "payment", bool isRevenue = true, int day = 1) =>
        new(amount, new DateOnly(2024, 11, day), isRevenue, description);

    /// <summary>Reads back all of a job's rows.</summary>
    /// <param name="store">The store.</param>
    /// <param name="jobId">The job id.</param>
    /// <returns>The rows, in the store's order.</returns>
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
