using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TransactionPipeline.Testing;
using static TransactionPipeline.Testing.Conformance.StoreTestData;

namespace TransactionPipeline.Tests.Pipeline;

public sealed class DefaultPipelineTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task RunAsync_SeedExample_CompletesWithOneOfferPerDate()
    {
        await using var fixture = new PipelineFixture();
        var body = TestData.Body(
            TestData.Item("1500.00", "2024-01-15", true, "Revenue transaction"),
            TestData.Item("250.50", "2024-01-15", false, "Expense"),
            TestData.Item("900.00", "2024-01-16", true, "Revenue transaction"));

        var status = await fixture.RunAsync(body);

        status.State.Should().Be(JobState.JobComplete);
        status.Stage.Should().Be(PipelineStage.Completed);
        status.JobId.Should().MatchRegex(@"^pipeline_\d{8}_\d{3,}$");
        status.Progress.Should().BeEquivalentTo(new { TransactionsImported = 3L, AggregatesCreated = 2, OffersGenerated = 2, BytesRead = (long)Encoding.UTF8.GetByteCount(body) });
        var result = await fixture.Pipeline.GetResultAsync(status.JobId, None);
        result!.Aggregates.Should().Equal(
            new DailyAggregate(new DateOnly(2024, 1, 15), 1750.50m, 1500.00m, 2),
            new DailyAggregate(new DateOnly(2024, 1, 16), 900.00m, 900.00m, 1));
        result.Offers.Select(o => (o.Date, o.TransactionCount)).Should().Equal((new DateOnly(2024, 1, 15), 2L), (new DateOnly(2024, 1, 16), 1L));
        result.ModelVersion.Should().Be("v2.1");
        result.ConfigUsedJson.Should().Contain("risk_threshold");
        result.TransactionsProcessed.Should().Be(3);
    }

    [Fact]
    public async Task FindResultAsync_UnknownFailedAndCompleteJobs_SaysWhichSoACallerCanSwitchOnIt()
    {
        await using var fixture = new PipelineFixture();
        var complete = await fixture.RunAsync(TestData.Body(TestData.Item("10.00", "2024-01-15", true)));
        var failed = await fixture.RunAsync(TestData.Body(TestData.Item("1.001", "2024-01-15", true)));

        var forComplete = await fixture.Pipeline.FindResultAsync(complete.JobId);
        var forFailed = await fixture.Pipeline.FindResultAsync(failed.JobId);
        var forUnknown = await fixture.Pipeline.FindResultAsync("pipeline_20000101_001");

        forComplete.State.Should().Be(JobResultState.Complete);
        forComplete.Result!.Offers.Should().ContainSingle();
        forFailed.State.Should().Be(JobResultState.Failed);
        forFailed.Status!.Error!.Kind.Should().Be(JobErrorKind.InvalidInput);
        forFailed.Result.Should().BeNull();
        forUnknown.Should().Be(new JobResultLookup(JobResultState.UnknownJob, null, null));

        // Submitted with no worker running: imported and queued, not complete.
        var queued = await fixture.Pipeline.SubmitAsync(PipelineInput.FromJson(TestData.Stream(TestData.Body(TestData.Item("5.00", "2024-01-16", true)))));
        var forQueued = await fixture.Pipeline.FindResultAsync(queued.JobId);
        forQueued.State.Should().Be(JobResultState.NotComplete);
        forQueued.Status!.State.Should().Be(JobState.InProgress);
    }

    [Fact]
    public async Task RunAsync_Events_ReplayWholeLifeCycleInOrder()
    {
        await using var fixture = new PipelineFixture();
        var status = await fixture.RunAsync(TestData.Generated(50));

        var events = await fixture.EventsAsync(status.JobId);

        events.Select(e => e.Sequence).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        events.Select(e => e.EventType).Where(t => t != JobEventTypes.ImportProgress).Should().Equal(
            JobEventTypes.JobCreated,
            JobEventTypes.ImportStarted,
            JobEventTypes.ImportCompleted,
            JobEventTypes.AggregationCompleted,
            JobEventTypes.CreditModelCompleted,
            JobEventTypes.OffersGenerated,
            JobEventTypes.JobComplete);
        events[^1].Status.State.Should().Be(JobState.JobComplete);
        events[0].Status.State.Should().Be(JobState.Open);
    }

    [Fact]
    public async Task WatchAsync_AfterSequence_ResumesAfterIt()
    {
        await using var fixture = new PipelineFixture();
        var status = await fixture.RunAsync(TestData.Generated(5));
        var all = await fixture.EventsAsync(status.JobId);

        var rest = new List<JobEvent>();
        await foreach (var jobEvent in fixture.Pipeline.WatchAsync(status.JobId, all[2].Sequence, None))
        {
            rest.Add(jobEvent);
        }

        rest.Should().Equal(all.Skip(3));
    }

    [Fact]
    public async Task RunAsync_ManyCents_SumsExactly()
    {
        await using var fixture = new PipelineFixture();
        var items = Enumerable.Range(0, 10_000).Select(i => TestData.Item(i % 2 == 0 ? "0.10" : "0.20", "2024-03-01", i % 4 == 0));

        var status = await fixture.RunAsync(TestData.Body(items));

        var aggregate = (await fixture.Pipeline.GetResultAsync(status.JobId, None))!.Aggregates.Single();
        aggregate.TotalAmount.Should().Be(1500.00m);
        aggregate.RevenueAmount.Should().Be(250.00m);
        aggregate.TransactionCount.Should().Be(10_000);
    }

    [Fact]
    public async Task RunAsync_LastNDays_CountsBackFromNewestDate()
    {
        await using var fixture = new PipelineFixture();
        var items = Enumerable.Range(0, 40).Select(d => TestData.Item("10", new DateOnly(2024, 1, 1).AddDays(d).ToString("yyyy-MM-dd"), true));

        var status = await fixture.RunAsync(TestData.Body(items));

        var result = await fixture.Pipeline.GetResultAsync(status.JobId, None);
        result!.Aggregates.Should().HaveCount(30);
        result.Aggregates[0].Date.Should().Be(new DateOnly(2024, 1, 11));
        result.Aggregates[^1].Date.Should().Be(new DateOnly(2024, 2, 9));
        result.TransactionsProcessed.Should().Be(40);
    }

    [Theory]
    [InlineData("""{"amount": "1", "date": "2024-01-01", "is_revenue": true, "description": "x"}""")]
    [InlineData("""{"amount": 1, "date": "2024-13-01", "is_revenue": true, "description": "x"}""")]
    [InlineData("""{"amount": 100000000000000, "date": "2024-01-01", "is_revenue": true, "description": "x"}""")]
    [InlineData("""{"amount": 1, "date": "2024-01-01", "description": "x"}""")]
    [InlineData("""{"amount": 1, "date": "2024-01-01", "is_revenue": true, "description": "x" """)]
    public async Task RunAsync_BadInput_FailsAndLeavesNothingVisible(string badItem)
    {
        await using var fixture = new PipelineFixture(options: o => o.ImportBatchSize = 10);
        var items = Enumerable.Range(0, 25).Select(i => TestData.Item("1", "2024-01-01", true)).Append(badItem);
        var body = TestData.Body(items);

        var status = await fixture.RunAsync(body);

        status.State.Should().Be(JobState.Failed);
        status.Error!.Kind.Should().Be(JobErrorKind.InvalidInput);
        status.Error.ItemIndex.Should().Be(25);
        status.Error.ByteOffset.Should().BeGreaterThan(body.IndexOf(badItem, StringComparison.Ordinal) - 2);
        status.Error.Message.Should().Contain("item 25").And.Contain("byte offset");
        (await fixture.Pipeline.GetResultAsync(status.JobId, None)).Should().BeNull();
        (await fixture.RowsAsync(status.JobId)).Should().BeEmpty("the 25 good rows stored before the bad one are removed");
        (await fixture.EventsAsync(status.JobId))[^1].EventType.Should().Be(JobEventTypes.Failed);
    }

    [Fact]
    public async Task RunAsync_ClientDisconnects_FailsWithOffset()
    {
        await using var fixture = new PipelineFixture(options: o => o.ImportBatchSize = 10);
        var bytes = Encoding.UTF8.GetBytes(TestData.Generated(200));

        var status = await fixture.Pipeline.RunAsync(PipelineInput.FromJson(new BrokenStream(bytes, 5_000)), None);

        status.State.Should().Be(JobState.Failed);
        status.Error!.Message.Should().Contain("could not be read").And.Contain("client disconnected");
        status.Error.ByteOffset.Should().BeLessThanOrEqualTo(5_000);
        (await fixture.RowsAsync(status.JobId)).Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_CallerCancels_FailsAsCancelled()
    {
        await using var fixture = new PipelineFixture(configure: b => b.AddTransactionStage<SlowStage>(), options: o => o.ImportBatchSize = 1);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var status = await fixture.Pipeline.RunAsync(PipelineInput.FromJson(TestData.Stream(TestData.Generated(1_000))), cancellation.Token);

        status.State.Should().Be(JobState.Failed);
        status.Error!.Kind.Should().Be(JobErrorKind.Cancelled);
        (await fixture.RowsAsync(status.JobId)).Should().BeEmpty();
    }

    [Fact]
    public async Task CancelAsync_RunningJob_FailsAsCancelled()
    {
        await using var fixture = new PipelineFixture(configure: b => b.AddTransactionStage<SlowStage>(), options: o => o.ImportBatchSize = 1);
        var created = new TaskCompletionSource<string>();
        var input = PipelineInput.FromJson(TestData.Stream(TestData.Generated(1_000)));
        input.Progress = new SyncProgress(status => created.TrySetResult(status.JobId));
        var run = fixture.Pipeline.RunAsync(input, None);

        var jobId = await created.Task.WaitAsync(TimeSpan.FromSeconds(10));
        (await fixture.Pipeline.CancelAsync(jobId, cancellationToken: None)).Should().BeTrue();
        var status = await run.WaitAsync(TimeSpan.FromSeconds(10));

        status.State.Should().Be(JobState.Failed);
        status.Error!.Kind.Should().Be(JobErrorKind.Cancelled);
        status.Error.Message.Should().StartWith("The job was cancelled by IPipeline.CancelAsync after ");
        (await fixture.Pipeline.CancelAsync(jobId, cancellationToken: None)).Should().BeFalse("the job is no longer running");
    }

    [Fact]
    public async Task AddTransactionStage_Filter_DropsRowsBeforeStorageAndAggregation()
    {
        await using var fixture = new PipelineFixture(configure: b => b.AddTransactionStage<DropNegativeAmounts>());
        var body = TestData.Body(
            TestData.Item("100", "2024-01-01", true),
            TestData.Item("-40", "2024-01-01", false),
            TestData.Item("-5", "2024-01-02", false));

        var status = await fixture.RunAsync(body);

        var result = await fixture.Pipeline.GetResultAsync(status.JobId, None);
        result!.Aggregates.Should().Equal(new DailyAggregate(new DateOnly(2024, 1, 1), 100m, 100m, 1));
        (await fixture.RowsAsync(status.JobId)).Should().ContainSingle();
        status.Progress.TransactionsImported.Should().Be(1);
    }

    [Fact]
    public async Task UseCreditModel_Custom_ScoresEveryDate()
    {
        await using var fixture = new PipelineFixture(configure: b => b.UseCreditModel<FlatCreditModel>());

        var status = await fixture.RunAsync(TestData.Generated(30, days: 3));

        var result = await fixture.Pipeline.GetResultAsync(status.JobId, None);
        result!.Offers.Should().HaveCount(3).And.OnlyContain(o => o.CreditScore == 640 && o.RiskLevel == RiskLevel.Medium && o.OfferType == "term_loan");
    }

    [Fact]
    public async Task UseCreditModel_SkipsADate_JobFailsWithClearError()
    {
        await using var fixture = new PipelineFixture(configure: b => b.UseCreditModel<ForgetfulCreditModel>());

        var status = await fixture.RunAsync(TestData.Generated(30, days: 3));

        status.State.Should().Be(JobState.Failed);
        status.Error!.Kind.Should().Be(JobErrorKind.StageFailed);
        status.Error.Message.Should().Contain("scored 2 of 3 aggregated dates");
    }

    [Fact]
    public async Task AddResultStage_Throws_JobFailsWithoutResults()
    {
        await using var fixture = new PipelineFixture(configure: b => b.AddResultStage<RejectingResultStage>());

        var status = await fixture.RunAsync(TestData.Generated(10));

        status.State.Should().Be(JobState.Failed);
        status.Error!.Message.Should().Contain("audit rejected");
        (await fixture.Pipeline.GetResultAsync(status.JobId, None)).Should().BeNull();
        (await fixture.Store.FindAsync(status.JobId, None))!.State.Should().Be(JobState.Failed);
    }

    [Fact]
    public async Task AddResultStage_SeesOffersBeforeCompletion()
    {
        var seen = new RecordingResultStage();
        await using var fixture = new PipelineFixture(configure: b => b.Services.AddSingleton(seen).AddSingleton<IResultStage>(sp => sp.GetRequiredService<RecordingResultStage>()));

        var status = await fixture.RunAsync(TestData.Generated(10, days: 2));

        seen.Offers.Should().Be(2);
        status.State.Should().Be(JobState.JobComplete);
    }

    [Fact]
    public async Task FromTransactions_InvalidAmount_FailsWithItemIndex()
    {
        await using var fixture = new PipelineFixture();
        var rows = new[] { new TransactionRecord(1m, new DateOnly(2024, 1, 1), true, "a"), new TransactionRecord(1.005m, new DateOnly(2024, 1, 1), true, "b") };

        var status = await fixture.Pipeline.RunAsync(PipelineInput.FromTransactions(rows.ToAsyncEnumerable()), None);

        status.State.Should().Be(JobState.Failed);
        status.Error!.ItemIndex.Should().Be(1);
        status.Error.Message.Should().Contain("more than 2 decimal places");
    }

    [Fact]
    public async Task JobIds_AreSequentialPerDay()
    {
        await using var fixture = new PipelineFixture();

        var first = await fixture.RunAsync(TestData.Generated(1));
        var second = await fixture.RunAsync(TestData.Generated(1));

        second.JobId.Should().Be(first.JobId[..^3] + "002");
        first.JobId.Should().EndWith("_001");
    }

    [Fact]
    public async Task SubmitAsync_WithHostedWorker_CompletesInBackground()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddTransactionPipeline(o => o.EventPollInterval = TimeSpan.FromMilliseconds(20)).UseInMemoryStorage().AddHostedWorker();
        using var host = builder.Build();
        await host.StartAsync();
        var pipeline = host.Services.GetRequiredService<IPipeline>();

        var submitted = await pipeline.SubmitAsync(PipelineInput.FromJson(TestData.Stream(TestData.Generated(100))), None);
        var done = await pipeline.WaitForCompletionAsync(submitted.JobId, None).WaitAsync(TimeSpan.FromSeconds(30));

        submitted.State.Should().Be(JobState.InProgress);
        submitted.Stage.Should().Be(PipelineStage.Aggregate);
        done.State.Should().Be(JobState.JobComplete);
        (await pipeline.GetResultAsync(done.JobId, None))!.Offers.Should().HaveCount(10);
        await host.StopAsync();
    }

    [Fact]
    public async Task ProcessJobsAsync_JobAbandonedAfterImport_ResumesFromStoredRows()
    {
        var store = new InMemoryStore();
        string jobId;
        await using (var crashed = new PipelineFixture(store: store))
        {
            // Submit imports and queues; no worker runs here, as if the process died right after the import.
            jobId = (await crashed.Pipeline.SubmitAsync(PipelineInput.FromJson(TestData.Stream(TestData.Generated(60, days: 6))), None)).JobId;
        }

        await using var restarted = RestartedFixture(store);
        var done = await RunWorkerUntilDoneAsync(restarted, jobId);

        done.State.Should().Be(JobState.JobComplete);
        var result = await restarted.Pipeline.GetResultAsync(jobId, None);
        result!.Aggregates.Should().HaveCount(6);
        result.Aggregates.Sum(a => a.TransactionCount).Should().Be(60);
    }

    [Fact]
    public async Task RunAsync_StoreTransactionsFalse_ReportsProgressWhileReading()
    {
        var body = Encoding.UTF8.GetBytes(TestData.Generated(2_000, days: 7));
        await using var fixture = new PipelineFixture(options: o => o.StoreTransactions = false);

        var status = await fixture.Pipeline.RunAsync(PipelineInput.FromJson(new SlowStream(body, 8192)), None);
        var progress = (await fixture.EventsAsync(status.JobId))
            .Where(e => e.EventType == JobEventTypes.ImportProgress)
            .Select(e => e.Status.Progress)
            .ToList();

        status.State.Should().Be(JobState.JobComplete);
        progress.Should().NotBeEmpty("the body arrives over many reads, each slower than ProgressInterval");
        progress.Select(p => p.BytesRead).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems().And.OnlyContain(b => b > 0 && b <= body.Length);
        progress.Select(p => p.TransactionsImported).Should().BeInAscendingOrder().And.OnlyContain(n => n > 0 && n <= 2_000);
        progress.Should().Contain(p => p.TransactionsImported < 1_000, "progress is reported while the body is still arriving");
    }

    [Fact]
    public async Task RunAsync_StoreTransactionsFalse_SameAggregatesAndNoRows()
    {
        var body = TestData.Generated(120, days: 7);
        await using var kept = new PipelineFixture();
        await using var aggregateOnly = new PipelineFixture(options: o => o.StoreTransactions = false);

        var keptStatus = await kept.RunAsync(body);
        var status = await aggregateOnly.RunAsync(body);

        status.State.Should().Be(JobState.JobComplete);
        status.Progress.TransactionsImported.Should().Be(120);
        (await aggregateOnly.RowsAsync(status.JobId)).Should().BeEmpty();
        var result = await aggregateOnly.Pipeline.GetResultAsync(status.JobId, None);
        var expected = await kept.Pipeline.GetResultAsync(keptStatus.JobId, None);
        result!.Aggregates.Should().Equal(expected!.Aggregates);
        result.Offers.Should().Equal(expected.Offers);
    }

    [Fact]
    public async Task RunAsync_StoreTransactionsFalseFromAFile_SameAggregatesAsFromAStreamAndTheFileReadToItsEnd()
    {
        // A file input is read through its memory map in aggregate-only mode (the reader's tests cross views of a few bytes).
        var body = TestData.Generated(3_000, days: 9);
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, body);
        try
        {
            await using var fromStream = new PipelineFixture(options: o => o.StoreTransactions = false);
            await using var fromFile = new PipelineFixture(options: o => o.StoreTransactions = false);
            var expected = await fromStream.RunAsync(body);
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read);

            var status = await fromFile.Pipeline.RunAsync(PipelineInput.FromJson(file), None);

            status.State.Should().Be(JobState.JobComplete);
            status.Progress.TransactionsImported.Should().Be(3_000);
            status.Progress.BytesRead.Should().Be(file.Length);
            file.Position.Should().Be(file.Length, "the file was read to its end, as a read would leave it");
            (await fromFile.Pipeline.GetResultAsync(status.JobId, None))!.Aggregates
                .Should().Equal((await fromStream.Pipeline.GetResultAsync(expected.JobId, None))!.Aggregates);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task RunAsync_StoreTransactionsFalseFromAFileWithABadItem_FailsAtItsIndexAndOffset()
    {
        var items = Enumerable.Range(0, 2_000).Select(i => TestData.Item("10.00", "2024-01-15", true, $"item {i}")).ToArray();
        items[1_500] = TestData.Item("10.00", "2024-02-30", true, "item 1500");
        var body = TestData.Body(items);
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, body);
        try
        {
            await using var fixture = new PipelineFixture(options: o => o.StoreTransactions = false);
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read);

            var status = await fixture.Pipeline.RunAsync(PipelineInput.FromJson(file), None);

            status.State.Should().Be(JobState.Failed);
            status.Error!.ItemIndex.Should().Be(1_500);
            status.Error.ByteOffset.Should().Be(body.IndexOf("2024-02-30", StringComparison.Ordinal) - 1, "the offset is the date value's, in the file");
            (await fixture.Pipeline.GetResultAsync(status.JobId, None)).Should().BeNull();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task ProcessJobsAsync_AggregateOnlyJobAbandonedAfterImport_FailsAsInterrupted()
    {
        var store = new InMemoryStore();
        string jobId;
        await using (var crashed = new PipelineFixture(store: store, options: o => o.StoreTransactions = false))
        {
            jobId = (await crashed.Pipeline.SubmitAsync(PipelineInput.FromJson(TestData.Stream(TestData.Generated(60, days: 6))), None)).JobId;
        }

        await using var restarted = RestartedFixture(store, o => o.StoreTransactions = false);
        var done = await RunWorkerUntilDoneAsync(restarted, jobId);

        done.State.Should().Be(JobState.Failed);
        done.Error!.Kind.Should().Be(JobErrorKind.Interrupted);
        done.Error.Message.Should().Contain("aggregate-only").And.Contain("Submit the file again");
        (await restarted.Pipeline.GetResultAsync(jobId, None)).Should().BeNull();
    }

    [Fact]
    public async Task ProcessJobsAsync_JobAbandonedDuringImport_FailsAsInterrupted()
    {
        var store = new InMemoryStore();
        var created = await CreateJobAsync(store, "dead-process", DateTimeOffset.UtcNow.AddMinutes(-5));
        await store.UpdateAsync(new JobUpdate(created with { State = JobState.InProgress, Stage = PipelineStage.Import, Progress = created.Progress with { TransactionsImported = 5 } }, "dead-process", JobEventTypes.ImportStarted), None);
        await ((ITransactionStore)store).AppendAsync(created.JobId, new TransactionBatch([new TransactionRecord(1, new DateOnly(2024, 1, 1), true, "partial")]), None);

        await using var restarted = RestartedFixture(store);
        var done = await RunWorkerUntilDoneAsync(restarted, created.JobId);

        done.State.Should().Be(JobState.Failed);
        done.Error!.Kind.Should().Be(JobErrorKind.Interrupted);
        done.Error.Message.Should().Contain("during import").And.Contain("Submit the file again");
        (await restarted.RowsAsync(created.JobId)).Should().BeEmpty();
    }

    [Fact]
    public void AddTransactionPipeline_WithoutStore_FailsNamingTheProviders()
    {
        var services = new ServiceCollection();
        services.AddTransactionPipeline();
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IPipeline>();

        act.Should().Throw<InvalidOperationException>().WithMessage("*UseSqlite*UsePostgreSql*");
    }

    [Fact]
    public async Task AddTransactionPipeline_BadOptions_HostFailsAtStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddTransactionPipeline(o => o.ImportBatchSize = 0).UseInMemoryStorage();
        using var host = builder.Build();

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("ImportBatchSize");
    }

    [Fact]
    public void AddTransactionPipeline_CrossFieldRule_NamesBothValues()
    {
        var services = new ServiceCollection();
        services.AddTransactionPipeline(o => o.RecoveryInterval = TimeSpan.FromMinutes(1)).UseInMemoryStorage();
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IPipeline>();

        act.Should().Throw<OptionsValidationException>().WithMessage("*RecoveryInterval (00:01:00)*JobLeaseTimeout (00:00:30)*");
    }

    [Fact]
    public async Task AddTransactionPipeline_Twice_IsHarmlessAndKeepsBothConfigurations()
    {
        var services = new ServiceCollection();
        services.AddTransactionPipeline(o => o.ImportBatchSize = 10).UseInMemoryStorage();
        services.AddTransactionPipeline(o => o.StageCapacity = 3);
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<TransactionPipelineOptions>>().Value;

        options.ImportBatchSize.Should().Be(10);
        options.StageCapacity.Should().Be(3);
        services.Count(d => d.ServiceType == typeof(IPipeline)).Should().Be(1);
    }

    /// <summary>A new pipeline instance over the same store, with a short lease so it takes abandoned jobs over quickly.</summary>
    private static PipelineFixture RestartedFixture(InMemoryStore store, Action<TransactionPipelineOptions>? options = null) =>
        new(store: store, options: o =>
        {
            options?.Invoke(o);
            o.JobLeaseTimeout = TimeSpan.FromMilliseconds(300);
            o.RecoveryInterval = TimeSpan.FromMilliseconds(50);
        });

    /// <summary>Runs the fixture's background worker until <paramref name="jobId"/> is terminal, then stops it.</summary>
    private static async Task<JobStatus> RunWorkerUntilDoneAsync(PipelineFixture fixture, string jobId)
    {
        using var stop = new CancellationTokenSource();
        var worker = fixture.Worker.ProcessJobsAsync(stop.Token);
        var done = await fixture.Pipeline.WaitForCompletionAsync(jobId, None).WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await worker;
        return done;
    }

    private sealed class SyncProgress(Action<JobStatus> report) : IProgress<JobStatus>
    {
        public void Report(JobStatus value) => report(value);
    }

    private sealed class SlowStage : ITransactionStage
    {
        public async ValueTask ProcessAsync(TransactionStageContext context, CancellationToken cancellationToken) =>
            await Task.Delay(5, cancellationToken);
    }

    private sealed class DropNegativeAmounts : ITransactionStage
    {
        public ValueTask ProcessAsync(TransactionStageContext context, CancellationToken cancellationToken)
        {
            context.Batch.RemoveAll(t => t.Amount < 0);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class FlatCreditModel : ICreditModel
    {
        public ValueTask<IReadOnlyList<CreditAssessment>> ScoreAsync(CreditModelContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<CreditAssessment>>(
                context.Aggregates.Select(a => new CreditAssessment(a.Date, 640, RiskLevel.Medium, [])).ToList());
    }

    private sealed class ForgetfulCreditModel : ICreditModel
    {
        public ValueTask<IReadOnlyList<CreditAssessment>> ScoreAsync(CreditModelContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<CreditAssessment>>(
                context.Aggregates.Skip(1).Select(a => new CreditAssessment(a.Date, 640, RiskLevel.Medium, [])).ToList());
    }

    private sealed class RejectingResultStage : IResultStage
    {
        public ValueTask ProcessAsync(ResultStageContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The audit rejected the offers.");
    }

    private sealed class RecordingResultStage : IResultStage
    {
        public int Offers { get; private set; }

        public ValueTask ProcessAsync(ResultStageContext context, CancellationToken cancellationToken)
        {
            Offers = context.Result.Offers.Count;
            return ValueTask.CompletedTask;
        }
    }
}
