using TransactionPipeline.Testing.Conformance;

namespace TransactionPipeline.PostgreSql.Tests;

// The PostgreSQL store's conformance, pipeline, resume, two-host and kill suites again, on a Citus coordinator with two
// workers: the store finds the extension and makes each job's row table a distributed table.

[RequiresCitus]
public sealed class CitusJobStoreTests() : PostgreSqlJobStoreTests(onCitus: true);

[RequiresCitus]
public sealed class CitusTransactionStoreTests() : PostgreSqlTransactionStoreTests(onCitus: true);

[RequiresCitus]
public sealed class CitusResultStoreTests() : PostgreSqlResultStoreTests(onCitus: true);

[RequiresCitus]
public sealed class CitusWebhookStoreTests() : PostgreSqlWebhookStoreTests(onCitus: true);

[RequiresCitus]
public sealed class CitusIdempotencyStoreTests() : PostgreSqlIdempotencyStoreTests(onCitus: true);

[RequiresCitus]
public sealed class CitusPipelineTests() : PostgreSqlPipelineTests(onCitus: true);

[RequiresCitus]
public sealed class CitusResumeTests() : PostgreSqlResumeTests(onCitus: true);

[RequiresCitus]
public sealed class CitusTwoHostsTests() : PostgreSqlTwoHostsTests(onCitus: true);

[RequiresCitus]
public sealed class CitusKillTests() : PostgreSqlKillTests(onCitus: true);

/// <summary>What Citus mode changes: where a job's rows live and where its aggregation runs.</summary>
[RequiresCitus]
public sealed class CitusLayoutTests : IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new(onCitus: true);

    [StoreFact]
    public async Task Import_OnTheCoordinator_RowsAreADistributedTableOnBothWorkers_AggregationRunsThereAndDeleteDropsTheShards()
    {
        ITransactionStore store = _database.CreateStore();
        var rows = TestBodies.Rows(5_000, days: 20);
        foreach (var chunk in rows.Chunk(1_000))
        {
            await store.AppendAsync("pipeline_20240101_001", new TransactionBatch(chunk), default);
        }

        await store.CompleteAsync("pipeline_20240101_001", default);
        var table = (await _database.RowTableOfAsync("pipeline_20240101_001"))!;

        var oid = await _database.ScalarAsync<uint>($"SELECT '{table}'::regclass::oid;");
        var shardsBefore = await _database.ScalarAsync<long>($"SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = {oid};");
        var workers = await _database.ScalarAsync<long>($"SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name = '{table}'::regclass;");
        var plan = string.Join('\n', await _database.LinesAsync($"EXPLAIN (FORMAT TEXT) SELECT date, sum(amount) FROM {table} GROUP BY date;"));
        var perDate = await _database.ScalarAsync<long>($"SELECT count(*) FROM (SELECT date, sum(amount) FROM {table} GROUP BY date) AS d;");
        await store.DeleteAsync("pipeline_20240101_001", default);
        var shardsLeft = await _database.ScalarAsync<long>($"SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = {oid};");

        workers.Should().Be(2, "a job's rows are spread over both workers");
        plan.Should().Contain("Custom Scan (Citus Adaptive)").And.Contain("Group Key: date", "each worker groups its own shards");
        perDate.Should().Be(20);
        (await _database.CountRowsAsync()).Should().Be(0);
        (await _database.RowTablesAsync()).Should().BeEmpty("deleting the rows drops the distributed table with its shards");
        shardsBefore.Should().BeGreaterThan(1);
        shardsLeft.Should().Be(0, "the job's shards are gone from the cluster's metadata");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();
}
