using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static TransactionPipeline.Testing.Conformance.StoreTestData;

namespace TransactionPipeline.Sqlite.Tests;

/// <summary>A job's rows spread over several files, each written by a writer of its own: read back in import order, listed once, removed together.</summary>
public sealed class ImportWritersTests : IDisposable
{
    private const string JobId = "pipeline_20241201_001";

    private readonly SqliteTestDatabase _database = new();

    [Fact]
    public async Task AppendAsync_ThreeWriters_RowsReadBackInImportOrderFromThreeFiles()
    {
        ITransactionStore store = _database.CreateStore(importWriters: 3);
        var rows = Enumerable.Range(0, 7_500).Select(i => Row(i / 100m, $"row {i}", i % 3 == 0, 1 + (i % 28))).ToArray();
        foreach (var chunk in rows.Chunk(1_000))
        {
            await store.AppendAsync(JobId, Batch(chunk), default);
        }

        await store.CompleteAsync(JobId);

        SqliteRowFiles.Files(_database.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .Should().Equal($"{JobId}.1.db", $"{JobId}.2.db", $"{JobId}.db");
        (await ReadAllAsync(store, JobId)).Should().Equal(rows, "the files are merged back by the import's row ids");
        (await store.ListStoredJobsAsync(default)).Should().Equal([JobId], "a job with three files is one job");

        await store.DeleteAsync(JobId, default);

        SqliteRowFiles.Files(_database.Path).Should().BeEmpty("deleting the job removes every one of its files");
        (await ReadAllAsync(store, JobId)).Should().BeEmpty();
    }

    [Fact]
    public async Task AppendAsync_AfterARestart_GoesOnAfterTheLastRowOfEveryFile()
    {
        ITransactionStore first = _database.CreateStore(importWriters: 2);
        await first.AppendAsync(JobId, Batch(Row(1m), Row(2m)), default);
        await first.AppendAsync(JobId, Batch(Row(3m)), default);
        await first.CompleteAsync(JobId);

        ITransactionStore restarted = _database.CreateStore(importWriters: 2);
        await restarted.AppendAsync(JobId, Batch(Row(4m)), default);
        await restarted.AppendAsync(JobId, Batch(Row(5m), Row(6m)), default);
        await restarted.CompleteAsync(JobId);

        (await ReadAllAsync(restarted, JobId)).Select(r => r.Amount).Should().Equal(1m, 2m, 3m, 4m, 5m, 6m);
    }

    [Fact]
    public async Task AppendAsync_WriterFails_TheNextCallThrowsItsErrorAndDeleteLeavesNoFile()
    {
        ITransactionStore store = _database.CreateStore(importWriters: 2);
        await store.AppendAsync(JobId, Batch(Row(1m)), default);
        await store.AppendAsync(JobId, Batch(Row(2m)), default);

        // The second file's table is gone under its writer: its next insert fails inside the writer, not the caller.
        var second = SqliteRowFiles.Files(_database.Path).Single(f => f.EndsWith(".1.db", StringComparison.Ordinal));
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={second};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE rows;";
            await drop.ExecuteNonQueryAsync();
        }

        await store.AppendAsync(JobId, Batch(Row(3m)), default);
        var more = async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await store.AppendAsync(JobId, Batch(Row(4m)), default);
            }

            await store.CompleteAsync(JobId);
        };

        (await more.Should().ThrowAsync<Microsoft.Data.Sqlite.SqliteException>()).Which.Message.Should().Contain("rows");
        await store.DeleteAsync(JobId, default);
        SqliteRowFiles.Files(_database.Path).Should().BeEmpty();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(SqliteStoreOptions.MaxImportWriters + 1)]
    public void UseSqlite_ImportWritersOutOfRange_FailsValidationNamingTheOption(int writers)
    {
        var services = new ServiceCollection();
        services.AddTransactionPipeline().UseSqlite(o =>
        {
            o.ConnectionString = _database.ConnectionString;
            o.ImportWriters = writers;
        });
        using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IOptions<SqliteStoreOptions>>().Value;

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*ImportWriters must be between 1 and 8*");
    }

    public void Dispose() => _database.Dispose();
}
