using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;
using static TransactionPipeline.Testing.Conformance.StoreTestData;

namespace TransactionPipeline.PostgreSql.Tests;

/// <summary>What the PostgreSQL store does beyond the conformance suites: its schema, options, registration and bulk path.</summary>
[RequiresPostgreSql]
public sealed class PostgreSqlStoreTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();

    [Fact]
    public async Task UsePostgreSql_ConnectionString_RegistersOneStoreForEveryRoleInTheDefaultSchema()
    {
        var services = new ServiceCollection();
        services.AddTransactionPipeline().UsePostgreSql("Host=db.invalid;Database=pipeline;Username=app");
        await using var provider = services.BuildServiceProvider();

        // Resolving opens no connection: the store connects on its first operation.
        provider.GetRequiredService<IJobStore>().Should().BeOfType<PostgreSqlStore>()
            .And.BeSameAs(provider.GetRequiredService<ITransactionStore>())
            .And.BeSameAs(provider.GetRequiredService<IResultStore>())
            .And.BeSameAs(provider.GetRequiredService<IWebhookStore>());
        provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value.Schema.Should().Be("transaction_pipeline");
    }

    [Theory]
    [InlineData("", "transaction_pipeline", "*ConnectionString is required*")]
    [InlineData("Host=db;Colour=blue", "transaction_pipeline", "*not a valid Npgsql connection string*")]
    [InlineData("Host=db;Multiplexing=true", "transaction_pipeline", "*Multiplexing*COPY*")]
    [InlineData("Host=db", "Pipeline", "*Schema must be a lower-case identifier*")]
    [InlineData("Host=db", "2pipeline", "*Schema must be a lower-case identifier*")]
    [InlineData("Host=db", "pipe\"line", "*Schema must be a lower-case identifier*")]
    public void UsePostgreSql_BadOptions_FailValidationNamingTheOption(string connectionString, string schema, string message)
    {
        var services = new ServiceCollection();
        services.AddTransactionPipeline().UsePostgreSql(o =>
        {
            o.ConnectionString = connectionString;
            o.Schema = schema;
        });
        using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value;

        resolve.Should().Throw<OptionsValidationException>().WithMessage(message);
    }

    [StoreFact]
    public async Task AppendAsync_AmountWithThreeDecimalsMidBatch_StoresNothingAndANewImportStillLands()
    {
        ITransactionStore store = _database.CreateStore();
        var rows = Enumerable.Range(0, 2_000).Select(i => Row(i + 0.5m)).Append(Row(1.234m)).ToArray();

        var append = async () => await store.AppendAsync("pipeline_20240101_001", Batch(rows), default);

        await append.Should().ThrowAsync<ArgumentException>().WithMessage("*more than 2 decimals*");
        (await _database.CountRowsAsync()).Should().Be(0);
        (await _database.RowTablesAsync()).Should().BeEmpty("the failed import rolled back, its table with it");
        await store.AppendAsync("pipeline_20240101_001", Batch(Row(1m), Row(2m)), default);
        await store.CompleteAsync("pipeline_20240101_001", default);
        (await _database.CountRowsAsync()).Should().Be(2);
    }

    [StoreFact]
    public async Task AppendAsync_Amounts_StoredAsTheServerWouldParseThem()
    {
        // Rows are encoded in the binary COPY format by the store itself: the server must hold the same numerics, dates
        // and texts it would have parsed from their text form.
        ITransactionStore store = _database.CreateStore();
        decimal[] amounts = [0m, -0.00m, 0.05m, -0.05m, 1m, 12.5m, 100.10m, 9_999m, 10_000m, 10_000.01m, -10_000.5m, 1.230m,
            123_456_789.12m, 100_000_000.00m, 9_999_999_999_999.99m, -9_999_999_999_999.99m];
        var rows = amounts.Select((a, i) => new TransactionRecord(a, new DateOnly(1999, 12, 31).AddDays(i * 400), i % 2 == 0, $"é {i} ☕")).ToArray();

        await store.AppendAsync("pipeline_20240101_001", Batch(rows), default);
        await store.CompleteAsync("pipeline_20240101_001", default);

        var stored = await _database.ScalarAsync<string[]>(
            $"SELECT array_agg(amount::text || ' ' || date::text || ' ' || is_revenue::text || ' ' || description ORDER BY seq) FROM {await _database.RowTableOfAsync("pipeline_20240101_001")};");
        stored.Should().Equal(rows.Select(r => string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{r.Amount:0.00} {r.Date:yyyy-MM-dd} {(r.IsRevenue ? "true" : "false")} {r.Description}")));
    }

    [StoreFact]
    public async Task CreateAsync_NewSchema_CreatesEveryTableInTheConfiguredSchemaOnly()
    {
        var store = _database.CreateStore();

        await CreateJobAsync(store, "host-a", CreatedAt);

        var tables = await _database.ScalarAsync<string[]>(
            $"SELECT array_agg(tablename::text ORDER BY tablename) FROM pg_tables WHERE schemaname = '{_database.Schema}';");
        tables.Should().Equal(
            "aggregates", "assessments", "idempotency_keys", "job_events", "job_id_counters", "jobs", "leases", "offers", "results", "transaction_jobs", "webhooks");
    }

    [StoreFact]
    public async Task CreateAsync_SeveralStoresStartTogether_SchemaIsCreatedOnceAndAllWork()
    {
        var stores = Enumerable.Range(0, 4).Select(_ => _database.CreateStore()).ToList();

        var jobs = await Task.WhenAll(stores.Select(s => Task.Run(async () => await CreateJobAsync(s, "host", CreatedAt))));

        jobs.Select(j => j.JobId).Should().OnlyHaveUniqueItems().And.HaveCount(4);
    }

    [StoreFact]
    public async Task CreateSchemaFalse_TablesMissing_FirstOperationFailsNamingSchemaAndTables()
    {
        var store = new PostgreSqlStore(new PostgreSqlStoreOptions { ConnectionString = PostgreSqlTestDatabase.ConnectionString, Schema = _database.Schema, CreateSchema = false });
        await using var _ = store;

        var create = async () => await CreateJobAsync(store, "host-a", CreatedAt);

        (await create.Should().ThrowAsync<InvalidOperationException>())
            .Which.Message.Should().Contain(_database.Schema).And.Contain("job_events").And.Contain("CreateSchema");
    }

    [StoreFact]
    public async Task CreateSchemaFalse_TablesExist_UsesThemWithoutCreatingAnything()
    {
        var created = await CreateJobAsync(_database.CreateStore(), "host-a", CreatedAt);
        var store = new PostgreSqlStore(new PostgreSqlStoreOptions { ConnectionString = PostgreSqlTestDatabase.ConnectionString, Schema = _database.Schema, CreateSchema = false });
        await using var _ = store;

        (await store.FindAsync(created.JobId, default)).Should().Be(created);
        (await CreateJobAsync(store, "host-a", CreatedAt)).JobId.Should().Be("pipeline_20241201_002");
    }

    [StoreFact]
    public async Task UpdateAsync_TimesWithTicksBelowAMicrosecond_ReturnsExactlyWhatLaterReadsReturn()
    {
        var store = _database.CreateStore();
        var job = await CreateJobAsync(store, "host-a", CreatedAt.AddTicks(1_234_567));
        var running = job with { State = JobState.InProgress, Stage = PipelineStage.Import, UpdatedAt = CreatedAt.AddTicks(9_876_543) };

        var appended = (await store.UpdateAsync(new JobUpdate(running, "host-a", JobEventTypes.ImportStarted), default)).Event;

        job.CreatedAt.Should().Be(CreatedAt.AddTicks(1_234_560));
        appended!.Status.UpdatedAt.Should().Be(CreatedAt.AddTicks(9_876_540));
        (await store.FindAsync(job.JobId, default)).Should().Be(appended.Status);
        (await _database.CreateStore().ReadEventsAsync(job.JobId, 0, default)).Should().Equal(
            new JobEvent(1, JobEventTypes.JobCreated, job.CreatedAt, job), appended!);
    }

    [StoreFact]
    public async Task AppendAsync_AmountWithThreeDecimals_ThrowsAndStoresNothingOfTheBatch()
    {
        ITransactionStore store = _database.CreateStore();

        var append = async () => await store.AppendAsync("job-a", Batch(Row(1m), Row(0.001m)), default);

        await append.Should().ThrowAsync<ArgumentException>().WithMessage("*0.001*");
        (await ReadAllAsync(store, "job-a")).Should().BeEmpty();
        (await _database.CountRowsAsync()).Should().Be(0);
    }

    [StoreFact]
    public async Task AppendAsync_TrailingZeroDecimals_StoresTheExactAmount()
    {
        ITransactionStore store = _database.CreateStore();

        await store.AppendAsync("job-a", Batch(Row(1.500m), Row(-2.0000m)), default);
        await store.CompleteAsync("job-a", default);

        (await ReadAllAsync(store, "job-a")).Select(r => r.Amount).Should().Equal(1.5m, -2m);
    }

    [StoreFact]
    public async Task AppendAsync_TwoJobsConcurrently_EachReadsBackItsOwnRowsInOrder()
    {
        ITransactionStore store = _database.CreateStore();

        async Task ImportAsync(string jobId, decimal amount)
        {
            for (var batch = 0; batch < 40; batch++)
            {
                var rows = Enumerable.Range(0, 250).Select(i => Row(amount, $"{jobId}:{(batch * 250) + i}")).ToArray();
                await Task.Run(async () => await store.AppendAsync(jobId, Batch(rows), default));
            }

            await store.CompleteAsync(jobId, default);
        }

        await Task.WhenAll(ImportAsync("job-a", 1.01m), ImportAsync("job-b", -2.02m));

        foreach (var (jobId, amount) in new[] { ("job-a", 1.01m), ("job-b", -2.02m) })
        {
            var rows = await ReadAllAsync(store, jobId);
            rows.Should().HaveCount(10_000).And.OnlyContain(r => r.Amount == amount);
            rows.Select(r => r.Description).Should().Equal(Enumerable.Range(0, 10_000).Select(i => $"{jobId}:{i}"));
        }
    }

    [StoreFact]
    public async Task AppendAsync_HundredThousandRows_ReadBackCountAndSumAreExact()
    {
        const int total = 100_000;
        ITransactionStore store = _database.CreateStore();
        var rows = Enumerable.Range(1, total).Select(i => Row((i % 2 == 0 ? 1 : -1) * (i / 100m), "bulk row", i % 3 == 0, 1 + (i % 28))).ToArray();

        var stopwatch = Stopwatch.StartNew();
        foreach (var chunk in rows.Chunk(5_000))
        {
            await store.AppendAsync("bulk", Batch(chunk), default);
        }

        await store.CompleteAsync("bulk", default);

        var appended = stopwatch.Elapsed;
        long count = 0;
        var sum = 0m;
        await foreach (var row in store.ReadAsync("bulk", default))
        {
            count++;
            sum += row.Amount;
        }

        output.WriteLine($"append {total:N0} rows: {appended.TotalMilliseconds:N0} ms ({total / appended.TotalSeconds:N0} rows/s); read: {(stopwatch.Elapsed - appended).TotalMilliseconds:N0} ms");
        count.Should().Be(total);
        sum.Should().Be(rows.Sum(r => r.Amount));
        (await _database.ScalarAsync<decimal>($"SELECT sum(amount) FROM {await _database.RowTableOfAsync("bulk")};")).Should().Be(sum);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();
}
