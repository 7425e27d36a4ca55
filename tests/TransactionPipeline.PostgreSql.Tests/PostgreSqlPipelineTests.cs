using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace TransactionPipeline.PostgreSql.Tests;

/// <summary>The whole pipeline on a real PostgreSQL schema: what a user sees after good and bad input.</summary>
[RequiresPostgreSql]
public class PostgreSqlPipelineTests : IAsyncLifetime
{
    private const string Good = """{"amount": 10.10, "date": "2024-01-01", "is_revenue": true, "description": "ok"}""";
    private readonly PostgreSqlTestDatabase _database;

    public PostgreSqlPipelineTests()
        : this(onCitus: false)
    {
    }

    /// <summary>Runs the same tests on the Citus cluster when <paramref name="onCitus"/> is set.</summary>
    protected PostgreSqlPipelineTests(bool onCitus) => _database = new PostgreSqlTestDatabase(onCitus);

    public static TheoryData<string, string> BadInputs => new()
    {
        { "{\"amount\": 1, \"date\": \"2024-01-01\", \"is_revenue\": true, \"description\": \"x\",}", "Malformed JSON" },
        { "{\"amount\": true, \"date\": \"2024-01-01\", \"is_revenue\": true, \"description\": \"x\"}", "must be a JSON number" },
        { "{\"amount\": 1, \"date\": \"2024-01-01\", \"is_revenue\": true}", "no \"description\" property" },
        { "{\"amount\": 1, \"date\": \"2024-02-30\", \"is_revenue\": true, \"description\": \"x\"}", "not a valid date" },
        { "{\"amount\": 12345678901234.5, \"date\": \"2024-01-01\", \"is_revenue\": true, \"description\": \"x\"}", "more than 13 digits" },
        { "{\"amount\": 1, \"date\": \"2024-01-01\", \"is_revenue\": true, \"descr", "ended before the JSON document was complete" },
    };

    [StoreFact]
    public async Task RunAsync_GeneratedBody_RowsAggregatesAndOffersAreInTheTables()
    {
        var rows = TestBodies.Rows(5_000, days: 14);
        var pipeline = _database.CreateHost().GetRequiredService<IPipeline>();

        var status = await pipeline.RunAsync(TestBodies.Input(rows), default);

        status.State.Should().Be(JobState.JobComplete, status.Error?.Message);
        status.Progress.TransactionsImported.Should().Be(5_000);
        (await _database.CountRowsAsync()).Should().Be(5_000);
        (await _database.ScalarAsync<decimal>($"SELECT sum(amount) FROM {await _database.RowTableOfAsync(status.JobId)};")).Should().Be(rows.Sum(r => r.Amount));
        (await _database.CountAsync("aggregates")).Should().Be(14);
        (await _database.CountAsync("offers")).Should().Be(status.Progress.OffersGenerated).And.BeGreaterThan(0);

        // A new store instance (a restart) reads the same results.
        var result = await ((IResultStore)_database.CreateStore()).FindAsync(status.JobId, default);
        result!.Aggregates.Should().Equal(TestBodies.Aggregates(rows));
        result.TransactionsProcessed.Should().Be(5_000);
        result.Should().BeEquivalentTo(await pipeline.GetResultAsync(status.JobId, default), o => o.ComparingRecordsByMembers().WithStrictOrdering());
    }

    [StoreFact]
    public async Task RunAsync_GeneratedBody_StoredRowsReadBackInImportOrder()
    {
        var rows = TestBodies.Rows(1_000, days: 3);
        var pipeline = _database.CreateHost(o => o.ImportBatchSize = 64).GetRequiredService<IPipeline>();

        var status = await pipeline.RunAsync(TestBodies.Input(rows), default);

        var stored = await StoreTestData.ReadAllAsync(_database.CreateStore(), status.JobId);
        stored.Should().Equal(rows);
    }

    [StoreTheory]
    [MemberData(nameof(BadInputs))]
    public async Task RunAsync_BadInput_FailsWithIndexAndOffsetAndLeavesNoRows(string badItem, string message)
    {
        var pipeline = _database.CreateHost(o => o.ImportBatchSize = 7).GetRequiredService<IPipeline>();
        var prefix = "{\"data\": [" + string.Join(",", Enumerable.Repeat(Good, 20)) + ",";
        var body = prefix + badItem + (badItem.EndsWith('}') ? "]}" : string.Empty);

        var status = await pipeline.RunAsync(PipelineInput.FromJson(new MemoryStream(Encoding.UTF8.GetBytes(body))), default);

        status.State.Should().Be(JobState.Failed);
        status.Error!.Message.Should().Contain(message);
        status.Error.ItemIndex.Should().Be(20);
        (await pipeline.GetResultAsync(status.JobId, default)).Should().BeNull();
        (await _database.CountRowsAsync()).Should().Be(0, "the 20 rows stored before the bad one are removed");
        (await _database.CountAsync("transaction_jobs")).Should().Be(0);
        (await _database.CountAsync("aggregates")).Should().Be(0);
        (await _database.CountAsync("offers")).Should().Be(0);
        var stored = await _database.CreateStore().FindAsync(status.JobId, default);
        stored!.State.Should().Be(JobState.Failed);
        stored.Error.Should().Be(status.Error);
        stored.CompletedAt.Should().BeCloseTo(status.CompletedAt!.Value, TimeSpan.FromMicroseconds(1), "timestamptz keeps microseconds");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();
}
