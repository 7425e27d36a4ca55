using System.Globalization;
using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.PostgreSql.Tests;

/// <summary>kill -9 of a real process at each stage of a job on PostgreSQL: the next process ends the job right and leaves nothing partial.</summary>
[RequiresPostgreSql]
public class PostgreSqlKillTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly PostgreSqlTestDatabase _database;
    private readonly string _input = Path.Combine(Path.GetTempPath(), $"txp-pg-kill-{Guid.NewGuid():N}.json");

    public PostgreSqlKillTests()
        : this(onCitus: false)
    {
    }

    /// <summary>Runs the same tests on the Citus cluster when <paramref name="onCitus"/> is set.</summary>
    protected PostgreSqlKillTests(bool onCitus) => _database = new PostgreSqlTestDatabase(onCitus);

    [StoreFact]
    public async Task Resume_AfterProcessKilledMidImport_FailsTheJobAsInterruptedWithItsCountsAndNoRowsLeft()
    {
        var (generated, output) = await SampleProcess.RunAsync("QuickStart", ["generate", _input, "--size", "120MB", "--days", "60"], Patience);
        generated.Should().Be(0, output);

        long importedAtKill;
        using (var first = SampleProcess.Start("QuickStart", ["process", _input, .. Store()]))
        {
            importedAtKill = await WaitForAsync(first, $"SELECT transactions_imported FROM {_database.Schema}.jobs WHERE state = 'IN_PROGRESS' AND stage = 'Import' AND transactions_imported > 0");
            first.KillHard();
        }

        var abandoned = (await _database.CreateStore().ListUnfinishedAsync(default)).Should().ContainSingle().Subject;
        (await _database.CountRowsAsync()).Should().Be(0, "an import's rows commit with its last batch: the server rolled back the killed one's");

        var (exit, resumed) = await SampleProcess.RunAsync("QuickStart", ["resume", .. Store()], Patience);

        exit.Should().Be(1, resumed);
        resumed.Should().Contain("FAILED (interrupted)");
        var job = await _database.CreateStore().FindAsync(abandoned.JobId, default);
        job!.State.Should().Be(JobState.Failed);
        job.Error!.Kind.Should().Be(JobErrorKind.Interrupted);
        job.Progress.TransactionsImported.Should().BeGreaterThanOrEqualTo(importedAtKill);
        (await _database.CountRowsAsync()).Should().Be(0, "nothing partial stays in the store");
        (await _database.CreateStore().ListUnfinishedAsync(default)).Should().BeEmpty();
    }

    [StoreFact]
    public async Task Resume_AfterProcessKilledPastImport_CompletesTheJobFromItsStoredRows()
    {
        var items = Enumerable.Range(0, 2_000).Select(i => string.Create(
            CultureInfo.InvariantCulture,
            $$$"""{"amount": {{{(i % 40) + 1}}}.50, "date": "2024-05-{{{(i % 10) + 1:00}}}", "is_revenue": {{{(i % 4 != 0 ? "true" : "false")}}}, "description": "row {{{i}}}"}"""));
        await File.WriteAllTextAsync(_input, "{\"data\": [" + string.Join(",", items) + "], \"aggregate_config\": {\"date_range\": \"all\"}}");

        using (var first = SampleProcess.Start("QuickStart", ["process", _input, "--hold-after-import", .. Store()]))
        {
            await first.WaitForOutputAsync("Holding job", Patience);
            first.KillHard();
        }

        var abandoned = (await _database.CreateStore().ListUnfinishedAsync(default)).Should().ContainSingle().Subject;
        abandoned.Progress.TransactionsImported.Should().Be(2_000);

        var (exit, resumed) = await SampleProcess.RunAsync("QuickStart", ["resume", .. Store()], Patience);

        exit.Should().Be(0, resumed);
        var store = _database.CreateStore();
        (await store.FindAsync(abandoned.JobId, default))!.State.Should().Be(JobState.JobComplete);
        var result = await ((IResultStore)store).FindAsync(abandoned.JobId, default);
        result!.Aggregates.Sum(a => a.TransactionCount).Should().Be(2_000);
        result.Offers.Should().HaveCount(10);
        (await store.ListUnfinishedAsync(default)).Should().BeEmpty();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _database.DropAsync();
        File.Delete(_input);
    }

    private string[] Store() => ["--postgres", _database.ServerConnectionString, "--schema", _database.Schema];

    private async Task<long> WaitForAsync(SampleProcess process, string sql)
    {
        using var expiry = new CancellationTokenSource(Patience);
        while (true)
        {
            try
            {
                if (await _database.ScalarAsync<object?>(sql + ";") is long value)
                {
                    return value;
                }
            }
            catch (Npgsql.PostgresException)
            {
                // The schema or its tables do not exist yet.
            }

            if (process.Process.HasExited || expiry.IsCancellationRequested)
            {
                throw new TimeoutException($"The import was never seen in progress. Output:\n{process.Output}");
            }

            await Task.Delay(5);
        }
    }
}
