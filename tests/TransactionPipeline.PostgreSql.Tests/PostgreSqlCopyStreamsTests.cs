using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace TransactionPipeline.PostgreSql.Tests;

/// <summary>An import written by several COPY streams at once: one table each, visible together, read back in import order, dropped together.</summary>
[RequiresPostgreSql]
public sealed class PostgreSqlCopyStreamsTests : IAsyncLifetime
{
    private const string JobId = "pipeline_20240101_001";

    private readonly PostgreSqlTestDatabase _database = new();

    [StoreFact]
    public async Task AppendAsync_ThreeStreams_NothingVisibleBeforeCompleteThenEveryRowInImportOrder()
    {
        ITransactionStore store = _database.CreateStore(o => o.CopyStreams = 3);
        ITransactionStore reader = _database.CreateStore();
        var rows = TestBodies.Rows(7_500, days: 30);
        foreach (var chunk in rows.Chunk(1_000))
        {
            await store.AppendAsync(JobId, new TransactionBatch(chunk), default);
        }

        (await reader.ReadAsync(JobId, default).ToListAsync()).Should().BeEmpty("no stream has committed");
        (await _database.RowTablesAsync()).Should().BeEmpty("each stream's table was made in its own open transaction");

        await store.CompleteAsync(JobId, default);

        (await _database.RowTablesAsync()).Should().HaveCount(3, "eight batches went to three streams in turn");
        (await reader.ReadAsync(JobId, default).ToListAsync()).Should().Equal(rows, "rows come back in the order they were appended");
        (await reader.SumByDateAsync(JobId, default))!.OrderBy(a => a.Date).Should().Equal(TestBodies.Aggregates(rows));
        await reader.DeleteAsync(JobId, default);
        (await _database.RowTablesAsync()).Should().BeEmpty("deleting the job drops all three of its tables");
        (await reader.ReadAsync(JobId, default).ToListAsync()).Should().BeEmpty();
    }

    [StoreFact]
    public async Task AppendAsync_FailsMidImport_NoStreamLeavesATable()
    {
        ITransactionStore store = _database.CreateStore(o => o.CopyStreams = 3);
        await store.AppendAsync(JobId, new TransactionBatch(TestBodies.Rows(1_000, days: 3)), default);
        await store.AppendAsync(JobId, new TransactionBatch(TestBodies.Rows(1_000, days: 3)), default);

        var append = async () => await store.AppendAsync(
            JobId, new TransactionBatch([new TransactionRecord(1.234m, new DateOnly(2024, 1, 1), true, "three decimals")]), default);

        await append.Should().ThrowAsync<ArgumentException>().WithMessage("*more than 2 decimals*");
        await store.DeleteAsync(JobId, default);
        (await _database.RowTablesAsync()).Should().BeEmpty();
        (await _database.ScalarAsync<long>($"SELECT count(*) FROM {_database.Schema}.transaction_jobs;")).Should().Be(0);
    }

    [StoreFact]
    public async Task Start_TableLeftByADeadImport_DroppedUnlessItsImportIsStillCommitting()
    {
        // A process that died between a further stream's commit and the primary's leaves that stream's table with no key row.
        ITransactionStore first = _database.CreateStore();
        _ = await first.ListStoredJobsAsync(default);
        const string Columns = "(seq bigint, amount numeric(15,2), date date, is_revenue boolean, description text)";
        await ExecuteAsync($"CREATE TABLE {_database.Schema}.transaction_rows_900001_1 {Columns}; CREATE TABLE {_database.Schema}.transaction_rows_900002_1 {Columns};");

        // An import still committing on another host holds its key's advisory lock in its primary transaction.
        await using var committing = new NpgsqlConnection(_database.ServerConnectionString);
        await committing.OpenAsync();
        await using var transaction = await committing.BeginTransactionAsync();
        using (var hold = new NpgsqlCommand(
            $"SET LOCAL search_path TO {_database.Schema}; SELECT pg_advisory_xact_lock({JobImport.ImportLockKey});", committing, transaction))
        {
            hold.Parameters.Add(new NpgsqlParameter<long>("job_key", 900002));
            await hold.ExecuteNonQueryAsync();
        }

        ITransactionStore restarted = _database.CreateStore();
        _ = await restarted.ListStoredJobsAsync(default);

        (await _database.RowTablesAsync()).Should().Equal(["transaction_rows_900002_1"], "the dead import's table goes, the live one's stays");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(PostgreSqlStoreOptions.MaxCopyStreams + 1)]
    public void UsePostgreSql_CopyStreamsOutOfRange_FailsValidationNamingTheOption(int streams)
    {
        var services = new ServiceCollection();
        services.AddTransactionPipeline().UsePostgreSql(o =>
        {
            o.ConnectionString = "Host=db";
            o.CopyStreams = streams;
        });
        using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value;

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*CopyStreams must be between 1 and 16*");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ServerConnectionString);
        await connection.OpenAsync();
        using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
