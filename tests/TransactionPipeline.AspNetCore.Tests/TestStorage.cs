using Microsoft.Data.Sqlite;

namespace TransactionPipeline.AspNetCore.Tests;

/// <summary>The one place that picks the store every test host uses: a real SQLite file per host.</summary>
internal static class TestStorage
{
    private static readonly string Folder = Directory.CreateTempSubdirectory("txp-http-tests-").FullName;

    static TestStorage() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        // Pooled connections keep the files open; release them before deleting.
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    };

    public static ITransactionPipelineBuilder UseTestStorage(this ITransactionPipelineBuilder builder) =>
        builder.UseSqlite($"Data Source={Path.Combine(Folder, $"{Guid.NewGuid():N}.db")}");
}
