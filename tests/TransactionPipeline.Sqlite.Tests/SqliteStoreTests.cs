using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;
using static TransactionPipeline.Testing.Conformance.StoreTestData;

namespace TransactionPipeline.Sqlite.Tests;

public sealed class SqliteStoreTests(ITestOutputHelper output) : IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    [Fact]
    public async Task CreateAsync_NewDatabase_FileIsInWalMode()
    {
        var store = _database.CreateStore();

        await CreateJobAsync(store, "host-a", CreatedAt);

        using var connection = new SqliteConnection(_database.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        command.ExecuteScalar().Should().Be("wal");
    }

    [Fact]
    public async Task AppendAsync_TwoJobsConcurrently_EachReadsBackItsOwnRowsInOrder()
    {
        var store = _database.CreateStore();
        ITransactionStore transactions = store;

        async Task ImportAsync(string jobId, decimal amount)
        {
            for (var batch = 0; batch < 40; batch++)
            {
                var rows = Enumerable.Range(0, 250).Select(i => Row(amount, $"{jobId}:{(batch * 250) + i}")).ToArray();
                await Task.Run(async () => await transactions.AppendAsync(jobId, Batch(rows), default));
            }
        }

        await Task.WhenAll(ImportAsync("job-a", 1.01m), ImportAsync("job-b", -2.02m));
        await Task.WhenAll(transactions.CompleteAsync("job-a").AsTask(), transactions.CompleteAsync("job-b").AsTask());

        foreach (var (jobId, amount) in new[] { ("job-a", 1.01m), ("job-b", -2.02m) })
        {
            var rows = await ReadAllAsync(transactions, jobId);
            rows.Should().HaveCount(10_000).And.OnlyContain(r => r.Amount == amount);
            rows.Select(r => r.Description).Should().Equal(Enumerable.Range(0, 10_000).Select(i => $"{jobId}:{i}"));
        }
    }

    [Fact]
    public async Task AppendAsync_HundredThousandRows_ReadBackCountAndSumAreExact()
    {
        const int total = 100_000;
        ITransactionStore store = _database.CreateStore();
        var rows = Enumerable.Range(1, total).Select(i => Row((i % 2 == 0 ? 1 : -1) * (i / 100m), "bulk row", i % 3 == 0, 1 + (i % 28))).ToArray();
        var expectedSum = rows.Sum(r => r.Amount);

        var stopwatch = Stopwatch.StartNew();
        foreach (var chunk in rows.Chunk(5_000))
        {
            await store.AppendAsync("bulk", Batch(chunk), default);
        }

        await store.CompleteAsync("bulk");
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
        sum.Should().Be(expectedSum);
    }

    [Fact]
    public async Task AppendAsync_AmountWithThreeDecimals_ThrowsInsteadOfRounding()
    {
        ITransactionStore store = _database.CreateStore();

        var append = async () => await store.AppendAsync("job-a", Batch(Row(0.001m)), default);

        await append.Should().ThrowAsync<ArgumentException>().WithMessage("*0.001*");
        (await ReadAllAsync(store, "job-a")).Should().BeEmpty();
    }

    [Fact]
    public async Task UseSqlite_ConnectionString_RegistersOneStoreForAllThreeRoles()
    {
        var services = new ServiceCollection();
        services.AddTransactionPipeline().UseSqlite(_database.ConnectionString);
        using var provider = services.BuildServiceProvider();

        var jobs = provider.GetRequiredService<IJobStore>();

        jobs.Should().BeOfType<SqliteStore>()
            .And.BeSameAs(provider.GetRequiredService<ITransactionStore>())
            .And.BeSameAs(provider.GetRequiredService<IResultStore>());
        (await CreateJobAsync(jobs, "host-a", CreatedAt)).JobId.Should().Be("pipeline_20241201_001");
    }

    [Fact]
    public void UseSqlite_EmptyConnectionString_FailsValidation()
    {
        var services = new ServiceCollection();
        services.AddTransactionPipeline().UseSqlite(options => options.BusyTimeout = TimeSpan.FromSeconds(1));
        using var provider = services.BuildServiceProvider();

        var resolve = () => provider.GetRequiredService<IOptions<SqliteStoreOptions>>().Value;

        resolve.Should().Throw<OptionsValidationException>().WithMessage("*ConnectionString*");
    }

    public void Dispose() => _database.Dispose();
}
