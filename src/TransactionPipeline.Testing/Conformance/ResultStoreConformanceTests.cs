namespace TransactionPipeline.Testing.Conformance;

/// <summary>What every <see cref="IResultStore"/> must do; a store's test project derives one class from it.</summary>
public abstract class ResultStoreConformanceTests : StoreConformanceTests<IResultStore>
{
    [StoreFact]
    public async Task SaveAsync_FullResult_FindReturnsTheSameValues()
    {
        var store = await CreateStoreAsync();
        var result = Result(JobA);

        await store.SaveAsync(result, default);

        await ShouldFindAsync(store, result);
    }

    [StoreFact]
    public async Task SaveAsync_EmptyResultWithoutConfig_FindReturnsIt()
    {
        var store = await CreateStoreAsync();
        var result = new JobResult
        {
            JobId = JobA, Aggregates = [], Assessments = [], Offers = [], TransactionsProcessed = 0, ModelVersion = "v2.1",
        };

        await store.SaveAsync(result, default);

        await ShouldFindAsync(store, result);
    }

    [StoreFact]
    public async Task FindAsync_NothingSaved_ReturnsNull()
    {
        var store = await CreateStoreAsync();

        (await store.FindAsync(JobA, default)).Should().BeNull();
    }

    [StoreFact]
    public async Task SaveAsync_SecondTime_ReplacesTheFirstResult()
    {
        var store = await CreateStoreAsync();
        await store.SaveAsync(Result(JobA), default);
        var second = Result(JobA) with
        {
            Aggregates = [new DailyAggregate(new DateOnly(2024, 12, 1), 5m, 5m, 1)],
            Assessments = [],
            Offers = [],
            TransactionsProcessed = 1,
            ModelVersion = "v3",
        };

        await store.SaveAsync(second, default);

        await ShouldFindAsync(store, second);
    }

    [StoreFact]
    public async Task DeleteAsync_OneJob_RemovesOnlyItsResults()
    {
        var store = await CreateStoreAsync();
        await store.SaveAsync(Result(JobA), default);
        await store.SaveAsync(Result(JobB), default);

        await store.DeleteAsync(JobA, default);

        (await store.FindAsync(JobA, default)).Should().BeNull();
        await ShouldFindAsync(store, Result(JobB));
    }

    [StoreFact]
    public async Task ReopenStoreAsync_AfterSave_ResultSurvives()
    {
        var store = await CreateStoreAsync();
        await store.SaveAsync(Result(JobA), default);

        var reopened = await ReopenStoreAsync();

        await ShouldFindAsync(reopened, Result(JobA));
    }

    [StoreFact]
    public async Task SaveAsync_ByTheJobsOwner_ReturnsTrueAndSavesIt()
    {
        var store = await CreateStoreAsync();
        var job = await StoreTestData.CreateJobAsync(JobStoreOf(store), "host-a", StoreTestData.CreatedAt);

        var saved = await store.SaveAsync(Result(job.JobId), "host-a");

        saved.Should().BeTrue();
        await ShouldFindAsync(store, Result(job.JobId));
    }

    [StoreFact]
    public async Task SaveAsync_AfterAnotherOwnerTookTheJob_ReturnsFalseAndKeepsTheNewOwnersResults()
    {
        var store = await CreateStoreAsync();
        var jobs = JobStoreOf(store);
        var job = await StoreTestData.CreateJobAsync(jobs, "host-a", StoreTestData.CreatedAt);
        (await jobs.TryClaimAsync(new JobClaim(job.JobId, "host-b", StoreTestData.CreatedAt.AddMinutes(10), StoreTestData.CreatedAt.AddMinutes(5)), default)).Should().BeTrue();
        var theNewOwners = Result(job.JobId) with { ModelVersion = "host-b" };
        (await store.SaveAsync(theNewOwners, "host-b")).Should().BeTrue();

        var stale = await store.SaveAsync(Result(job.JobId), "host-a");

        stale.Should().BeFalse();
        await ShouldFindAsync(store, theNewOwners);
    }

    [StoreFact]
    public async Task SaveAsync_FinishedOrUnknownJob_ReturnsFalseAndWritesNothing()
    {
        var store = await CreateStoreAsync();
        var jobs = JobStoreOf(store);
        var job = await StoreTestData.CreateJobAsync(jobs, "host-a", StoreTestData.CreatedAt);
        var failed = job with { State = JobState.Failed, UpdatedAt = StoreTestData.CreatedAt.AddMinutes(1), CompletedAt = StoreTestData.CreatedAt.AddMinutes(1) };
        (await jobs.UpdateAsync(new JobUpdate(failed, "host-a", JobEventTypes.Failed), default)).Outcome.Should().Be(JobUpdateOutcome.Updated);

        var finished = await store.SaveAsync(Result(job.JobId), "host-a");
        var unknown = await store.SaveAsync(Result(JobB), "host-a");

        finished.Should().BeFalse();
        unknown.Should().BeFalse();
        (await store.FindAsync(job.JobId, default)).Should().BeNull();
        (await store.FindAsync(JobB, default)).Should().BeNull();
    }

    /// <summary>
    /// The job store whose owners <see cref="IResultStore.SaveAsync"/> checks: by default the store under test itself. A result
    /// store kept apart from its job store overrides this to return that job store.
    /// </summary>
    /// <param name="store">The store under test.</param>
    /// <returns>The job store.</returns>
    protected virtual IJobStore JobStoreOf(IResultStore store) =>
        store as IJobStore ?? throw new InvalidOperationException(
            $"{store?.GetType().Name} is not an IJobStore: override {nameof(JobStoreOf)} to return the job store whose owners it checks.");

    private static async Task ShouldFindAsync(IResultStore store, JobResult expected)
    {
        var found = await store.FindAsync(expected.JobId, default);
        found.Should().NotBeNull();
        found.Should().BeEquivalentTo(expected, o => o.ComparingRecordsByMembers().WithStrictOrdering());
    }

    private static JobResult Result(string jobId)
    {
        var first = new DateOnly(2024, 11, 30);
        var second = new DateOnly(2024, 12, 1);
        ScoreFactor[] factors =
        [
            new("transaction_volume", 0.3333333333333333333333333333m, 0.4m, 13.33m),
            new("revenue_ratio", 1m, 0.3m, 30m),
            new("consistency", -0.000001m, 0.3m, 0m),
        ];
        return new JobResult
        {
            JobId = jobId,
            Aggregates =
            [
                new DailyAggregate(first, -9_999_999_999_999.99m, 0.01m, 3),
                new DailyAggregate(second, 98_765_432_109_876_543.21m, 1_234_567_890_123.45m, 4_000_000_000),
            ],
            Assessments =
            [
                new CreditAssessment(first, 300, RiskLevel.High, factors),
                new CreditAssessment(second, 812, RiskLevel.Low, factors[..1]),
            ],
            Offers =
            [
                new CreditOffer(first, "micro_loan", 0.01m, 0.1875m, 300, RiskLevel.High, 3),
                new CreditOffer(second, "business_line_of_credit", 1_234_567_890_123.45m, 0.05m, 812, RiskLevel.Low, 4_000_000_000),
                new CreditOffer(second, "term_loan", 500m, 0.0725m, 812, RiskLevel.Medium, 4_000_000_000),
            ],
            TransactionsProcessed = 4_000_000_003,
            ModelVersion = "v2.1",
            ConfigUsedJson = """{"credit_model_config":{"model_version":"v2.1"},"note":"ünïcode ✓"}""",
        };
    }
}
