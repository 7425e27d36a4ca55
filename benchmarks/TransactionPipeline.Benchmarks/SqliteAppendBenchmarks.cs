using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using TransactionPipeline.Sqlite;

namespace TransactionPipeline.Benchmarks;

/// <summary>Appending one batch of 5,000 seed-shaped rows to a SQLite file, one transaction per batch.</summary>
public class SqliteAppendBenchmarks
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pipeline-sqlite-bench-").FullName;
    private TransactionBatch _batch = null!;
    private SqliteStore _store = null!;
    private SqliteConnection _bare = null!;
    private int _job;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var records = BenchmarkData.Records(BenchmarkData.SeedBody(1 << 20));
        _batch = new TransactionBatch(records.AsSpan(0, SeedRows.BatchSize));
        _store = new SqliteStore(new SqliteStoreOptions { ConnectionString = $"Data Source={Path.Combine(_folder, "store.db")}" });
        await ((IJobStore)_store).ListUnfinishedAsync(CancellationToken.None);
        _bare = new SqliteConnection($"Data Source={Path.Combine(_folder, "bare.db")}");
        _bare.Open();
        using var create = _bare.CreateCommand();
        create.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE t (job_id TEXT, seq INTEGER, amount INTEGER, day INTEGER, is_revenue INTEGER, description TEXT);";
        create.ExecuteNonQuery();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bare.Dispose();
        _store.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>What a user would write: one prepared Microsoft.Data.Sqlite command, parameters by name.</summary>
    [Benchmark(Baseline = true)]
    public void BarePreparedInsert()
    {
        using var transaction = _bare.BeginTransaction();
        using var insert = _bare.CreateCommand();
        insert.CommandText = "INSERT INTO t VALUES ($job, $seq, $amount, $day, $revenue, $description);";
        var job = insert.Parameters.Add("$job", SqliteType.Text);
        var seq = insert.Parameters.Add("$seq", SqliteType.Integer);
        var amount = insert.Parameters.Add("$amount", SqliteType.Integer);
        var day = insert.Parameters.Add("$day", SqliteType.Integer);
        var revenue = insert.Parameters.Add("$revenue", SqliteType.Integer);
        var description = insert.Parameters.Add("$description", SqliteType.Text);
        insert.Prepare();
        job.Value = "bare";
        var rows = _batch.Items.Span;
        for (var i = 0; i < rows.Length; i++)
        {
            seq.Value = i;
            amount.Value = decimal.ToInt64(rows[i].Amount * 100);
            day.Value = rows[i].Date.DayNumber;
            revenue.Value = rows[i].IsRevenue ? 1 : 0;
            description.Value = rows[i].Description;
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>The SDK's SQLite store, as the import's writer stage calls it.</summary>
    [Benchmark]
    public ValueTask StoreAppend() => _store.AppendAsync($"bench_{_job++ % 64}", _batch, CancellationToken.None);
}
