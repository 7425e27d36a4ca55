using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.PostgreSql.Tests;

/// <summary>The worker's retention sweep on a real PostgreSQL schema, under a fake clock.</summary>
[RequiresPostgreSql]
public sealed class PostgreSqlRetentionTests : IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();

    [StoreFact]
    public Task Sweep_AsTimePasses_FailedJobThenCompletedRowsThenCompletedJobGo_ResultsStayWhileTheJobDoes() =>
        RetentionScenario.RunAsync(
            builder => builder.UsePostgreSql(_database.Configure),
            async () => (await _database.RowTablesAsync()).Length > 0);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();
}
