using Microsoft.Extensions.DependencyInjection;
using static TransactionPipeline.Testing.Conformance.StoreTestData;

namespace TransactionPipeline.PostgreSql.Tests;

/// <summary>A host goes away with a job half done; a new host on the same database finishes or fails it, from the stored rows only.</summary>
[RequiresPostgreSql]
public class PostgreSqlResumeTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly PostgreSqlTestDatabase _database;

    public PostgreSqlResumeTests()
        : this(onCitus: false)
    {
    }

    /// <summary>Runs the same tests on the Citus cluster when <paramref name="onCitus"/> is set.</summary>
    protected PostgreSqlResumeTests(bool onCitus) => _database = new PostgreSqlTestDatabase(onCitus);

    [StoreFact]
    public async Task ProcessJobsAsync_HostStoppedAfterImport_NewHostCompletesTheJobFromStoredRows()
    {
        var rows = TestBodies.Rows(3_000, days: 12);
        string jobId;
        var stopped = _database.CreateHost();
        {
            // Submit imports and queues the stages for a worker, which this host never runs: the stages never start here.
            var submitted = await stopped.GetRequiredService<IPipeline>().SubmitAsync(TestBodies.Input(rows), default);
            submitted.State.Should().Be(JobState.InProgress, submitted.Error?.Message);
            jobId = submitted.JobId;
        }

        await stopped.DisposeAsync();
        (await _database.ScalarAsync<string>($"SELECT stage FROM jobs WHERE id = '{jobId}';")).Should().Be(nameof(PipelineStage.Aggregate));
        (await _database.CountRowsAsync()).Should().Be(3_000);
        (await _database.CountAsync("aggregates")).Should().Be(0);

        var restartedHost = _database.CreateHost(ShortLease);
        var restarted = restartedHost.GetRequiredService<IPipeline>();
        var done = await RunWorkerUntilDoneAsync(restartedHost, jobId);

        done.State.Should().Be(JobState.JobComplete, done.Error?.Message);
        var result = await restarted.GetResultAsync(jobId, default);
        result!.Aggregates.Should().Equal(TestBodies.Aggregates(rows), "the totals are rebuilt from the 3,000 stored rows");
        result.Offers.Should().HaveCount(12);
        var events = await ReadEventsAsync(restarted, jobId);
        events.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, events.Count).Select(i => (long)i));
        events.Count(e => e.EventType == JobEventTypes.AggregationCompleted).Should().Be(1);
        events[^1].EventType.Should().Be(JobEventTypes.JobComplete);
    }

    [StoreFact]
    public async Task ProcessJobsAsync_HostDiedDuringImport_NewHostFailsTheJobAndDeletesItsRows()
    {
        // What a host that died while importing leaves behind: a job in the import stage with some rows, silent for minutes.
        var store = _database.CreateStore();
        var created = await CreateJobAsync(store, "dead-host", DateTimeOffset.UtcNow.AddMinutes(-5));
        await store.UpdateAsync(
            new JobUpdate(
                created with { State = JobState.InProgress, Stage = PipelineStage.Import, Progress = created.Progress with { TransactionsImported = 2 } },
                "dead-host",
                JobEventTypes.ImportStarted),
            default);
        await ((ITransactionStore)store).AppendAsync(created.JobId, Batch(Row(1m, "partial"), Row(2m, "partial")), default);

        var restartedHost = _database.CreateHost(ShortLease);
        var restarted = restartedHost.GetRequiredService<IPipeline>();
        var done = await RunWorkerUntilDoneAsync(restartedHost, created.JobId);

        done.State.Should().Be(JobState.Failed);
        done.Error!.Kind.Should().Be(JobErrorKind.Interrupted);
        done.Error.Message.Should().Contain("during import");
        (await _database.CountRowsAsync()).Should().Be(0);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();

    /// <summary>A short lease, so the new host takes over an abandoned job after half a second instead of thirty.</summary>
    private static void ShortLease(TransactionPipelineOptions options)
    {
        options.JobLeaseTimeout = TimeSpan.FromMilliseconds(500);
        options.RecoveryInterval = TimeSpan.FromMilliseconds(50);
    }

    /// <summary>Runs the host's background worker until <paramref name="jobId"/> is terminal, then stops it.</summary>
    private static async Task<JobStatus> RunWorkerUntilDoneAsync(IServiceProvider host, string jobId)
    {
        var pipeline = host.GetRequiredService<IPipeline>();
        using var stop = new CancellationTokenSource();
        var worker = host.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token);
        var done = await pipeline.WaitForCompletionAsync(jobId, default).WaitAsync(Patience);
        await stop.CancelAsync();
        await worker;
        return done;
    }

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
