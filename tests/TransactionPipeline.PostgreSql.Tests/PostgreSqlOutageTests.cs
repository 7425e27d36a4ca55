using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.PostgreSql.Tests;

/// <summary>The server goes away under a running import and comes back: the job ends FAILED as store_unavailable, nothing partial stays.</summary>
[RequiresPostgreSql]
public sealed class PostgreSqlOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly PostgreSqlTestDatabase _database = new();

    [StoreFact]
    public async Task SubmitAsync_ServerGoneMidImportThenBack_JobFailsAsStoreUnavailableWithItsCountsAndTheHostWorksOn()
    {
        var server = new NpgsqlConnectionStringBuilder(PostgreSqlTestDatabase.ConnectionString);
        await using var forwarder = new TcpForwarder(server.Host!, server.Port);
        forwarder.Restore();
        var viaForwarder = new NpgsqlConnectionStringBuilder(PostgreSqlTestDatabase.ConnectionString) { Host = "127.0.0.1", Port = forwarder.Port, Timeout = 3 }.ConnectionString;
        var services = new ServiceCollection();
        services.AddTransactionPipeline(o =>
            {
                o.ImportBatchSize = 500;
                o.ProgressInterval = TimeSpan.FromMilliseconds(20);
                o.EventPollInterval = TimeSpan.FromMilliseconds(20);
                o.RecoveryInterval = TimeSpan.FromMilliseconds(100);
            })
            .UsePostgreSql(o =>
            {
                o.ConnectionString = viaForwarder;
                o.Schema = _database.Schema;
            });
        await using var provider = services.BuildServiceProvider();
        var pipeline = provider.GetRequiredService<IPipeline>();
        using var stop = new CancellationTokenSource();
        var worker = provider.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token);
        var body = TestBodies.Stream(TestBodies.Json(TestBodies.Rows(60_000, days: 30)));
        using var input = new TriggerStream(body, body.Length / 2, () => forwarder.BreakAsync().GetAwaiter().GetResult(), readSize: 8_192);

        var failed = await pipeline.SubmitAsync(PipelineInput.FromJson(input), CancellationToken.None).WaitAsync(Patience);

        failed.State.Should().Be(JobState.Failed);
        failed.Error!.Kind.Should().Be(JobErrorKind.StoreUnavailable, failed.Error.Message);
        failed.Progress.TransactionsImported.Should().BeGreaterThan(0);
        await Task.Delay(TimeSpan.FromSeconds(2));
        forwarder.Restore();

        var stored = await WaitUntilAsync(() => _database.CreateStore().FindAsync(failed.JobId, default).AsTask(), s => s is { IsTerminal: true });
        stored!.State.Should().Be(JobState.Failed, "the host writes the failure once the server answers");
        stored.Error.Should().Be(failed.Error);
        (await WaitUntilAsync(() => _database.CountRowsAsync(), n => n == 0)).Should().Be(0, "nothing partial stays");
        var events = await _database.CreateStore().ReadEventsAsync(failed.JobId, 0, default);
        events.Select(e => e.Status.Progress.TransactionsImported).Should().BeInAscendingOrder();

        var next = await pipeline.SubmitAsync(TestBodies.Input(TestBodies.Rows(500, days: 5)), CancellationToken.None);
        (await pipeline.WaitForCompletionAsync(next.JobId, CancellationToken.None).WaitAsync(Patience)).State.Should().Be(JobState.JobComplete);
        (await _database.CreateStore().ListUnfinishedAsync(default)).Should().BeEmpty();
        await stop.CancelAsync();
        await worker.WaitAsync(Patience);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _database.CreateStore();
        await _database.DropAsync();
    }

    private static Task<T> WaitUntilAsync<T>(Func<Task<T>> read, Func<T, bool> done) => Polling.WaitUntilAsync(read, done, Patience);
}
