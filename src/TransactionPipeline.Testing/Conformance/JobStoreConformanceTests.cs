using System.Text.RegularExpressions;
using static TransactionPipeline.Testing.Conformance.StoreTestData;

namespace TransactionPipeline.Testing.Conformance;

/// <summary>What every <see cref="IJobStore"/> must do; a store's test project derives one class from it.</summary>
public abstract partial class JobStoreConformanceTests : StoreConformanceTests<IJobStore>
{
    private const string Owner = "host-a";

    [StoreFact]
    public async Task CreateAsync_FirstJobOfTheDay_IdHasUtcDateAndNumberOne()
    {
        var store = await CreateStoreAsync();

        // 23:30 at UTC-2 is already the next day in UTC.
        var job = await CreateJobAsync(store, Owner, new DateTimeOffset(2024, 12, 1, 23, 30, 0, TimeSpan.FromHours(-2)));

        job.JobId.Should().Be("pipeline_20241202_001");
    }

    [StoreFact]
    public async Task CreateAsync_SeveralJobs_IdsHaveTheFormAndIncrease()
    {
        var store = await CreateStoreAsync();

        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add((await CreateJobAsync(store, Owner, CreatedAt)).JobId);
        }

        ids.Should().AllSatisfy(id => Regex.IsMatch(id, @"^pipeline_20241201_\d{3,}$").Should().BeTrue(id));
        ids.Select(id => int.Parse(id["pipeline_20241201_".Length..])).Should().Equal(Enumerable.Range(1, 12));
    }

    [StoreFact]
    public async Task CreateAsync_OtherDay_NumberingStartsAgain()
    {
        var store = await CreateStoreAsync();
        await CreateJobAsync(store, Owner, CreatedAt);

        var nextDay = await CreateJobAsync(store, Owner, CreatedAt.AddDays(1));

        nextDay.JobId.Should().Be("pipeline_20241202_001");
    }

    [StoreFact]
    public async Task CreateAsync_AfterReopen_IdIsNotReused()
    {
        var store = await CreateStoreAsync();
        var first = await CreateJobAsync(store, Owner, CreatedAt);

        var reopened = await ReopenStoreAsync();
        var second = await CreateJobAsync(reopened, Owner, CreatedAt);

        second.JobId.Should().NotBe(first.JobId).And.Be("pipeline_20241201_002");
    }

    [StoreFact]
    public async Task CreateAsync_ConcurrentCalls_IdsAreUnique()
    {
        var store = await CreateStoreAsync();

        var jobs = await Task.WhenAll(Enumerable.Range(0, 20).Select(
            _ => CreateJobAsync(store, Owner, CreatedAt)));

        jobs.Select(j => j.JobId).Should().OnlyHaveUniqueItems().And.HaveCount(20);
    }

    [StoreFact]
    public async Task ReserveJobNumberAsync_ConcurrentCallsOverTwoDays_EachDayCountsFromOneWithoutGapsOrRepeats()
    {
        var store = await CreateStoreAsync();
        var day = new DateOnly(2024, 12, 1);

        var numbers = await Task.WhenAll(Enumerable.Range(0, 30).Select(
            i => store.ReserveJobNumberAsync(day.AddDays(i % 2), default).AsTask()));

        numbers.Where((_, i) => i % 2 == 0).Order().Should().Equal(Enumerable.Range(1, 15).Select(n => (long)n));
        numbers.Where((_, i) => i % 2 == 1).Order().Should().Equal(Enumerable.Range(1, 15).Select(n => (long)n));
        (await (await ReopenStoreAsync()).ReserveJobNumberAsync(day, default)).Should().Be(16);
    }

    [StoreFact]
    public async Task CreateAsync_IdThatExists_ThrowsAndKeepsTheFirstJob()
    {
        var store = await CreateStoreAsync();
        var first = await CreateJobAsync(store, Owner, CreatedAt);

        var again = async () => await store.CreateAsync(NewJob.Open(first.JobId, "host-b", CreatedAt.AddMinutes(1)), default);

        (await again.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain(first.JobId);
        (await store.FindAsync(first.JobId, default)).Should().Be(first);
        (await store.ReadEventsAsync(first.JobId, 0, default)).Should().ContainSingle();
        (await store.UpdateAsync(new JobUpdate(InProgress(first, 1), "host-b"), default)).Should().Be(JobUpdateResult.LeaseLost);
    }

    [StoreFact]
    public async Task CreateAsync_NewJob_IsOpenWithJobCreatedEvent()
    {
        var store = await CreateStoreAsync();

        var job = await CreateJobAsync(store, Owner, CreatedAt, bytesTotal: 4_096);

        job.State.Should().Be(JobState.Open);
        job.Stage.Should().Be(PipelineStage.Created);
        job.Progress.Should().Be(JobProgress.None with { BytesTotal = 4_096 });
        job.CreatedAt.Should().Be(CreatedAt);
        job.UpdatedAt.Should().Be(CreatedAt);
        (await store.FindAsync(job.JobId, default)).Should().Be(job);
        var events = await store.ReadEventsAsync(job.JobId, 0, default);
        events.Should().ContainSingle().Which.Should().Be(new JobEvent(1, JobEventTypes.JobCreated, CreatedAt, job));
    }

    [StoreFact]
    public async Task FindAsync_UnknownJob_ReturnsNull()
    {
        var store = await CreateStoreAsync();

        (await store.FindAsync("pipeline_20000101_001", default)).Should().BeNull();
    }

    [StoreFact]
    public async Task UpdateAsync_WithEventType_AppendsEventsInSequenceWithTheSnapshot()
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);
        var importing = InProgress(job, 1);
        var imported = InProgress(job, 2) with { Progress = new JobProgress(1_500, 90_000, 90_000, 0, 0) };

        var started = await store.UpdateAsync(new JobUpdate(importing, Owner, JobEventTypes.ImportStarted), default);
        var completed = await store.UpdateAsync(new JobUpdate(imported, Owner, JobEventTypes.ImportCompleted), default);

        started.Should().Be(JobUpdateResult.Updated(new JobEvent(2, JobEventTypes.ImportStarted, importing.UpdatedAt, importing)));
        completed.Should().Be(JobUpdateResult.Updated(new JobEvent(3, JobEventTypes.ImportCompleted, imported.UpdatedAt, imported)));
        var events = await store.ReadEventsAsync(job.JobId, 0, default);
        events.Select(e => e.Sequence).Should().Equal(1, 2, 3);
        events.Skip(1).Should().Equal(started.Event!, completed.Event!);
        (await store.FindAsync(job.JobId, default)).Should().Be(imported);
    }

    [StoreFact]
    public async Task UpdateAsync_WithoutEventType_ReplacesSnapshotAndAppendsNothing()
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);
        var progress = InProgress(job, 1) with { Progress = new JobProgress(10, 200, null, 0, 0) };

        var appended = await store.UpdateAsync(new JobUpdate(progress, Owner), default);

        appended.Should().Be(JobUpdateResult.Updated(null));
        (await store.FindAsync(job.JobId, default)).Should().Be(progress);
        (await store.ReadEventsAsync(job.JobId, 0, default)).Should().ContainSingle();
    }

    [StoreFact]
    public async Task UpdateAsync_FailedWithError_ErrorAndCompletionRoundTrip()
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);
        var failed = Failed(job);

        var appended = await store.UpdateAsync(new JobUpdate(failed, Owner, JobEventTypes.Failed), default);

        (await store.FindAsync(job.JobId, default)).Should().Be(failed);
        appended.Outcome.Should().Be(JobUpdateOutcome.Updated);
        appended.Event!.Status.Error.Should().Be(failed.Error);
        (await store.ReadEventsAsync(job.JobId, 1, default)).Should().ContainSingle().Which.Status.Should().Be(failed);
    }

    [StoreTheory]
    [InlineData(JobState.JobComplete)]
    [InlineData(JobState.Failed)]
    public async Task UpdateAsync_TerminalJob_AnswersTerminalAndKeepsTheTerminalState(JobState terminal)
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);
        var done = await FinishAsync(store, job, terminal);

        var update = await store.UpdateAsync(new JobUpdate(InProgress(job, 6), Owner, JobEventTypes.ImportProgress), default);

        update.Should().Be(JobUpdateResult.Terminal);
        (await store.FindAsync(job.JobId, default)).Should().Be(done);
        (await store.ReadEventsAsync(job.JobId, 0, default)).Should().HaveCount(2);
    }

    [StoreFact]
    public async Task UpdateAsync_UnknownJob_AnswersNotFound()
    {
        var store = await CreateStoreAsync();
        var ghost = new JobStatus
        {
            JobId = "pipeline_20000101_001", State = JobState.InProgress, Stage = PipelineStage.Import, CreatedAt = CreatedAt, UpdatedAt = CreatedAt,
        };

        var update = await store.UpdateAsync(new JobUpdate(ghost, Owner, JobEventTypes.ImportStarted), default);

        update.Should().Be(JobUpdateResult.NotFound);
        (await store.FindAsync(ghost.JobId, default)).Should().BeNull();
    }

    [StoreFact]
    public async Task UpdateAsync_AfterAnotherOwnerTookTheJob_AnswersLeaseLostAndKeepsTheNewOwnersWrites()
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);
        await store.UpdateAsync(new JobUpdate(InProgress(job, 1), Owner, JobEventTypes.ImportStarted), default);
        (await store.TryClaimAsync(new JobClaim(job.JobId, "host-b", CreatedAt.AddMinutes(10), CreatedAt.AddMinutes(5)), default)).Should().BeTrue();
        var taken = InProgress(job, 11) with { Stage = PipelineStage.CreditModel };
        await store.UpdateAsync(new JobUpdate(taken, "host-b", JobEventTypes.AggregationCompleted), default);

        var stale = await store.UpdateAsync(new JobUpdate(Failed(job), Owner, JobEventTypes.Failed), default);
        var staleProgress = await store.UpdateAsync(new JobUpdate(InProgress(job, 12), Owner), default);

        stale.Should().Be(JobUpdateResult.LeaseLost);
        staleProgress.Should().Be(JobUpdateResult.LeaseLost);
        (await store.FindAsync(job.JobId, default)).Should().Be(taken, "the former owner's writes are refused whole");
        (await store.ReadEventsAsync(job.JobId, 0, default)).Select(e => e.EventType).Should().Equal(
            JobEventTypes.JobCreated, JobEventTypes.ImportStarted, JobEventTypes.AggregationCompleted);
    }

    [StoreFact]
    public async Task ReadEventsAsync_AfterSequence_ReturnsOnlyLaterEvents()
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);
        for (var minute = 1; minute <= 4; minute++)
        {
            await store.UpdateAsync(new JobUpdate(InProgress(job, minute), Owner, JobEventTypes.ImportProgress), default);
        }

        var events = await store.ReadEventsAsync(job.JobId, 3, default);

        events.Select(e => e.Sequence).Should().Equal(4, 5);
        events[^1].Status.UpdatedAt.Should().Be(CreatedAt.AddMinutes(4));
        (await store.ReadEventsAsync("pipeline_20000101_001", 0, default)).Should().BeEmpty();
    }

    [StoreFact]
    public async Task TryClaimAsync_SameOwner_ReturnsTrueAndRefreshesUpdatedAt()
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);
        var claimedAt = CreatedAt.AddSeconds(10);

        var claimed = await store.TryClaimAsync(new JobClaim(job.JobId, Owner, claimedAt, CreatedAt.AddSeconds(-30)), default);

        claimed.Should().BeTrue();
        (await store.FindAsync(job.JobId, default)).Should().Be(job with { UpdatedAt = claimedAt });
        (await store.ReadEventsAsync(job.JobId, 0, default)).Should().ContainSingle();
    }

    [StoreFact]
    public async Task TryClaimAsync_OtherOwnerWithFreshLease_ReturnsFalseAndChangesNothing()
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);

        var claimed = await store.TryClaimAsync(new JobClaim(job.JobId, "host-b", CreatedAt.AddSeconds(10), CreatedAt.AddSeconds(-30)), default);

        claimed.Should().BeFalse();
        (await store.FindAsync(job.JobId, default)).Should().Be(job);
    }

    [StoreFact]
    public async Task TryClaimAsync_OtherOwnerWithStaleLease_ReturnsTrueAndTakesTheJob()
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);
        var claimedAt = CreatedAt.AddMinutes(5);

        var claimed = await store.TryClaimAsync(new JobClaim(job.JobId, "host-b", claimedAt, CreatedAt.AddMinutes(1)), default);

        claimed.Should().BeTrue();
        (await store.FindAsync(job.JobId, default))!.UpdatedAt.Should().Be(claimedAt);

        // host-b now holds a fresh lease: the former owner cannot take it back.
        (await store.TryClaimAsync(new JobClaim(job.JobId, Owner, claimedAt.AddSeconds(1), claimedAt.AddSeconds(-30)), default))
            .Should().BeFalse();
    }

    [StoreFact]
    public async Task TryClaimAsync_TerminalJob_ReturnsFalse()
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);
        await store.UpdateAsync(new JobUpdate(Failed(job), Owner, JobEventTypes.Failed), default);

        var claimed = await store.TryClaimAsync(new JobClaim(job.JobId, Owner, CreatedAt.AddDays(1), CreatedAt.AddDays(1)), default);

        claimed.Should().BeFalse();
    }

    [StoreFact]
    public async Task TryClaimAsync_UnknownJob_ReturnsFalse()
    {
        var store = await CreateStoreAsync();

        (await store.TryClaimAsync(new JobClaim("pipeline_20000101_001", Owner, CreatedAt, CreatedAt), default)).Should().BeFalse();
    }

    [StoreFact]
    public async Task ListUnfinishedAsync_MixedJobs_ReturnsOnlyUnfinishedOldestFirst()
    {
        var store = await CreateStoreAsync();
        var newer = await CreateJobAsync(store, Owner, CreatedAt.AddHours(2));
        var older = await CreateJobAsync(store, Owner, CreatedAt);
        var failed = await CreateJobAsync(store, Owner, CreatedAt.AddHours(1));
        var complete = await CreateJobAsync(store, Owner, CreatedAt.AddHours(1));
        var running = InProgress(older, 1);
        await store.UpdateAsync(new JobUpdate(running, Owner, JobEventTypes.ImportStarted), default);
        await store.UpdateAsync(new JobUpdate(Failed(failed), Owner, JobEventTypes.Failed), default);
        await store.UpdateAsync(new JobUpdate(InProgress(complete, 1) with { State = JobState.JobComplete }, Owner, JobEventTypes.JobComplete), default);

        var unfinished = await store.ListUnfinishedAsync(default);

        unfinished.Should().Equal(running, newer);
    }

    [StoreTheory]
    [MemberData(nameof(Configurations))]
    public async Task SaveConfigurationAsync_AnyDateRange_FindReturnsTheSameConfiguration(string name)
    {
        var configuration = ConfigurationNamed(name);
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);

        await store.SaveConfigurationAsync(job.JobId, configuration, default);

        var found = await store.FindConfigurationAsync(job.JobId, default);
        found.Should().BeEquivalentTo(configuration, o => o.ComparingRecordsByMembers());
        found!.CreditModel.RiskThreshold.Should().Be(configuration.CreditModel.RiskThreshold);
    }

    [StoreFact]
    public async Task SaveConfigurationAsync_WithTraceParent_FindReturnsItAfterAReopen()
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);
        var configuration = PipelineConfiguration.Default with { TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };

        await store.SaveConfigurationAsync(job.JobId, configuration, default);
        var reopened = await ReopenStoreAsync();

        (await reopened.FindConfigurationAsync(job.JobId, default))!.TraceParent.Should().Be(configuration.TraceParent);
    }

    [StoreFact]
    public async Task FindConfigurationAsync_NothingSaved_ReturnsNull()
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt);

        (await store.FindConfigurationAsync(job.JobId, default)).Should().BeNull();
        (await store.FindConfigurationAsync("pipeline_20000101_001", default)).Should().BeNull();
    }

    [StoreFact]
    public async Task ReopenStoreAsync_AfterUpdates_StatusEventsAndConfigurationSurvive()
    {
        var store = await CreateStoreAsync();
        var job = await CreateJobAsync(store, Owner, CreatedAt, 1_000);
        var running = InProgress(job, 3) with { Progress = new JobProgress(42, 500, 1_000, 0, 0) };
        await store.UpdateAsync(new JobUpdate(running, Owner, JobEventTypes.ImportProgress), default);
        var configuration = ConfigurationNamed("last_days_as_of");
        await store.SaveConfigurationAsync(job.JobId, configuration, default);
        var events = await store.ReadEventsAsync(job.JobId, 0, default);

        var reopened = await ReopenStoreAsync();

        (await reopened.FindAsync(job.JobId, default)).Should().Be(running);
        (await reopened.ReadEventsAsync(job.JobId, 0, default)).Should().Equal(events);
        (await reopened.FindConfigurationAsync(job.JobId, default)).Should().BeEquivalentTo(configuration, o => o.ComparingRecordsByMembers());
        (await reopened.ListUnfinishedAsync(default)).Should().Equal(running);
        (await reopened.UpdateAsync(new JobUpdate(InProgress(job, 4), Owner, JobEventTypes.ImportCompleted), default)).Event!.Sequence.Should().Be(3);
    }

    public static TheoryData<string> Configurations() => ["default", "all_raw_json", "last_days", "last_days_as_of", "between"];

    private static PipelineConfiguration ConfigurationNamed(string name)
    {
        var credit = new CreditModelConfig
        {
            ModelVersion = "v3.0-beta",
            RiskThreshold = 0.6543m,
            Weights = new CreditScoreWeights(0.5m, 0.25m, 0.25m),
            VolumeTarget = 250,
            RawJson = """{"model_version":"v3.0-beta","risk_threshold":0.6543,"extra":{"ünïcode":"✓"}}""",
        };
        return name switch
        {
            "default" => PipelineConfiguration.Default,
            "all_raw_json" => new(credit, AggregateConfig.Default with { DateRange = DateRange.All }),
            "last_days" => new(credit, new AggregateConfig { IncludeMetrics = ["total_amount"], DateRange = DateRange.Last(30) }),
            "last_days_as_of" => new(CreditModelConfig.Default, new AggregateConfig { DateRange = DateRange.Last(7, new DateOnly(2024, 11, 30)) }),
            "between" => new(credit, new AggregateConfig { DateRange = DateRange.Between(new DateOnly(2024, 1, 1), new DateOnly(2024, 3, 31)) }),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }

    /// <summary>Ends the job in <paramref name="terminal"/> five minutes after its creation, with its terminal event.</summary>
    private static async Task<JobStatus> FinishAsync(IJobStore store, JobStatus job, JobState terminal)
    {
        var done = InProgress(job, 5) with { State = terminal, CompletedAt = CreatedAt.AddMinutes(5) };
        await store.UpdateAsync(new JobUpdate(done, Owner, terminal == JobState.Failed ? JobEventTypes.Failed : JobEventTypes.JobComplete), default);
        return done;
    }

    private static JobStatus InProgress(JobStatus job, int minutes) => job with
    {
        State = JobState.InProgress,
        Stage = PipelineStage.Import,
        UpdatedAt = job.CreatedAt.AddMinutes(minutes),
    };

    private static JobStatus Failed(JobStatus job) => job with
    {
        State = JobState.Failed,
        Stage = PipelineStage.Import,
        Progress = new JobProgress(7, 1_234, 10_000, 0, 0),
        UpdatedAt = job.CreatedAt.AddMinutes(2),
        CompletedAt = job.CreatedAt.AddMinutes(2),
        Error = new JobError(JobErrorKind.InvalidInput, "data[7].amount: more than 2 decimals", 7, 1_234, "$.data[7].amount"),
    };
}
