using Microsoft.Extensions.DependencyInjection;
using static TransactionPipeline.Testing.Conformance.StoreTestData;

namespace TransactionPipeline.PostgreSql.Tests;

/// <summary>Two hosts, each with its own services and connection pool, on one database: either serves any job.</summary>
[RequiresPostgreSql]
public class PostgreSqlTwoHostsTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly PostgreSqlTestDatabase _database;

    public PostgreSqlTwoHostsTests()
        : this(onCitus: false)
    {
    }

    /// <summary>Runs the same tests on the Citus cluster when <paramref name="onCitus"/> is set.</summary>
    protected PostgreSqlTwoHostsTests(bool onCitus) => _database = new PostgreSqlTestDatabase(onCitus);

    [StoreFact]
    public async Task SubmitAsync_OnHostA_HostBAnswersStatusOffersAndEvents()
    {
        var rows = TestBodies.Rows(2_000, days: 9);
        var servicesA = _database.CreateHost();
        var servicesB = _database.CreateHost();
        var hostA = servicesA.GetRequiredService<IPipeline>();
        var hostB = servicesB.GetRequiredService<IPipeline>();
        using var stop = new CancellationTokenSource();
        var workers = Task.WhenAll(
            servicesA.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token),
            servicesB.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token));

        var submitted = await hostA.SubmitAsync(TestBodies.Input(rows), default);
        var seenByB = await hostB.GetStatusAsync(submitted.JobId, default);
        var done = await hostB.WaitForCompletionAsync(submitted.JobId, default).WaitAsync(Patience);
        await stop.CancelAsync();
        await workers;

        seenByB.Should().NotBeNull("B reads the job from the shared database the moment A has created it");
        seenByB!.Progress.TransactionsImported.Should().Be(2_000);
        done.State.Should().Be(JobState.JobComplete, done.Error?.Message);
        (await hostA.GetStatusAsync(submitted.JobId, default)).Should().Be(done);

        var offersOnB = await hostB.GetResultAsync(submitted.JobId, default);
        offersOnB!.Offers.Should().HaveCount(9);
        offersOnB.Aggregates.Should().Equal(TestBodies.Aggregates(rows));
        offersOnB.Should().BeEquivalentTo(await hostA.GetResultAsync(submitted.JobId, default), o => o.ComparingRecordsByMembers().WithStrictOrdering());

        // B replays the whole stream A wrote, and the stages ran once: B's worker left A's fresh lease alone.
        var eventsOnB = await ReadEventsAsync(hostB, submitted.JobId);
        eventsOnB.Should().Equal(await ReadEventsAsync(hostA, submitted.JobId));
        eventsOnB.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, eventsOnB.Count).Select(i => (long)i));
        eventsOnB.Select(e => e.EventType).Where(t => t != JobEventTypes.ImportProgress).Should().Equal(
            JobEventTypes.JobCreated,
            JobEventTypes.ImportStarted,
            JobEventTypes.ImportCompleted,
            JobEventTypes.AggregationCompleted,
            JobEventTypes.CreditModelCompleted,
            JobEventTypes.OffersGenerated,
            JobEventTypes.JobComplete);
    }

    [StoreFact]
    public async Task CancelAsync_OnHostB_StopsTheImportRunningOnHostAWhichLeavesNoRowsAndTakesTheNextJob()
    {
        var rows = TestBodies.Rows(20_000, days: 9);
        var body = System.Text.Encoding.UTF8.GetBytes(TestBodies.Json(rows));
        await using var servicesA = _database.CreateHost();
        await using var servicesB = _database.CreateHost();
        var hostA = servicesA.GetRequiredService<IPipeline>();
        var hostB = servicesB.GetRequiredService<IPipeline>();
        using var stop = new CancellationTokenSource();
        var workers = Task.WhenAll(
            servicesA.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token),
            servicesB.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token));

        // Host A imports a body whose upload stalls half way: the job stays IN_PROGRESS on A until something stops it.
        var submit = hostA.SubmitAsync(PipelineInput.FromJson(new TransactionPipeline.Tests.Shared.StallingStream(new MemoryStream(body), body.Length / 2)));
        var importing = await TransactionPipeline.Tests.Shared.Polling.WaitUntilAsync(
            async () => (await hostB.ListJobsAsync(new JobQuery { State = JobState.InProgress })).Jobs is [var first, ..] ? first : null,
            job => job is { Progress.TransactionsImported: > 0 },
            Patience);
        importing.Should().NotBeNull("host A's import shows on host B");

        var accepted = await hostB.CancelAsync(importing!.JobId, "host B");
        var failed = await submit.WaitAsync(Patience);
        var next = await hostA.RunAsync(TestBodies.Input(TestBodies.Rows(500, days: 3)));
        await stop.CancelAsync();
        await workers;

        accepted.Should().BeTrue("the job was unfinished: the request is kept in the store for its owner");
        failed.JobId.Should().Be(importing.JobId);
        failed.State.Should().Be(JobState.Failed);
        failed.Error!.Kind.Should().Be(JobErrorKind.Cancelled);
        failed.Error.Message.Should().StartWith("The job was cancelled by host B after ");
        (await ReadAllAsync(servicesB.GetRequiredService<ITransactionStore>(), failed.JobId)).Should().BeEmpty("a cancelled job leaves no rows");
        (await hostB.CancelAsync(failed.JobId, "host B")).Should().BeFalse("a finished job cannot be cancelled");
        next.State.Should().Be(JobState.JobComplete, "host A goes on with the next job");
    }

    [StoreFact]
    public async Task CreateAsync_TwoHostsAtOnce_IdsNeverCollide()
    {
        var storeA = _database.CreateHost().GetRequiredService<IJobStore>();
        var storeB = _database.CreateHost().GetRequiredService<IJobStore>();
        storeA.Should().NotBeSameAs(storeB);

        var jobs = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(async () =>
            await CreateJobAsync(i % 2 == 0 ? storeA : storeB, i % 2 == 0 ? "host-a" : "host-b", CreatedAt))));

        jobs.Select(j => j.JobId).Should().OnlyHaveUniqueItems();
        jobs.Select(j => int.Parse(j.JobId["pipeline_20241201_".Length..])).Order().Should().Equal(Enumerable.Range(1, 60));
    }

    [StoreFact]
    public async Task TryClaimAsync_TwoHostsClaimAStaleJobAtOnce_ExactlyOneWins()
    {
        var storeA = _database.CreateStore();
        var storeB = _database.CreateStore();
        for (var round = 0; round < 20; round++)
        {
            var job = await CreateJobAsync(storeA, "dead-host", CreatedAt);
            var claimedAt = CreatedAt.AddMinutes(10);

            var claims = await Task.WhenAll(new[] { (storeA, "host-a"), (storeB, "host-b") }.Select(c => Task.Run(async () =>
                await c.Item1.TryClaimAsync(new JobClaim(job.JobId, c.Item2, claimedAt, CreatedAt.AddMinutes(1)), default))));

            claims.Count(won => won).Should().Be(1, $"round {round}: the second claim sees the first one's fresh lease");
        }
    }

    [StoreFact]
    public async Task UpdateAsync_TwoHostsAppendEventsToOneJobAtOnce_SequencesHaveNoGapsOrDuplicates()
    {
        var storeA = _database.CreateStore();
        var storeB = _database.CreateStore();
        var job = await CreateJobAsync(storeA, "host-a", CreatedAt);

        var appended = await Task.WhenAll(Enumerable.Range(1, 50).Select(i => Task.Run(async () =>
            (await (i % 2 == 0 ? storeA : storeB).UpdateAsync(
                new JobUpdate(job with { State = JobState.InProgress, Stage = PipelineStage.Import, UpdatedAt = CreatedAt.AddSeconds(i) }, "host-a", JobEventTypes.ImportProgress),
                default)).Event)));

        appended.Select(e => e!.Sequence).Order().Should().Equal(Enumerable.Range(2, 50).Select(i => (long)i));
        var stored = await storeB.ReadEventsAsync(job.JobId, 0, default);
        stored.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, 51).Select(i => (long)i));
        stored.Skip(1).Should().BeEquivalentTo(appended, o => o.ComparingRecordsByMembers());
    }

    [StoreFact]
    public async Task RunAsync_BothHostsAtOnce_EveryJobCompletesUnderItsOwnIdOnBoth()
    {
        var hosts = new[] { _database.CreateHost().GetRequiredService<IPipeline>(), _database.CreateHost().GetRequiredService<IPipeline>() };

        var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() =>
            hosts[i % 2].RunAsync(TestBodies.Input(TestBodies.Rows(300 + i, days: 3)), default))));

        runs.Select(r => r.JobId).Should().OnlyHaveUniqueItems();
        foreach (var (run, i) in runs.Select((run, i) => (run, i)))
        {
            run.State.Should().Be(JobState.JobComplete, run.Error?.Message);
            var other = hosts[(i + 1) % 2];
            (await other.GetResultAsync(run.JobId, default))!.TransactionsProcessed.Should().Be(300 + i);
        }

        (await _database.CountRowsAsync()).Should().Be(Enumerable.Range(300, 6).Sum());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();

    private static async Task<List<JobEvent>> ReadEventsAsync(IPipeline pipeline, string jobId)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var events = new List<JobEvent>();
        await foreach (var jobEvent in pipeline.WatchAsync(jobId, 0, timeout.Token))
        {
            events.Add(jobEvent);
        }

        return events;
    }
}
