namespace TransactionPipeline.AspNetCore.Tests;

/// <summary>The one place that picks the store every test host uses.</summary>
internal static class TestStorage
{
    // Switch to builder.UseSqlite($"Data Source={path}") once the SQLite store lands.
    public static ITransactionPipelineBuilder UseTestStorage(this ITransactionPipelineBuilder builder) => builder.UseInMemoryStorage();
}
