using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.Sqlite.Tests;

/// <summary>The worker's retention sweep on a real SQLite file, under a fake clock.</summary>
public sealed class SqliteRetentionTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    [Fact]
    public Task Sweep_AsTimePasses_FailedJobThenCompletedRowsThenCompletedJobGo_ResultsStayWhileTheJobDoes() =>
        RetentionScenario.RunAsync(
            builder => builder.UseSqlite(_database.ConnectionString),
            () => Task.FromResult(SqliteRowFiles.Files(_database.Path).Length > 0));

    public void Dispose() => _database.Dispose();
}
