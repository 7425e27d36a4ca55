using Microsoft.Data.Sqlite;

namespace TransactionPipeline.Sqlite.Tests;

/// <summary>A real SQLite file in the temp folder, one per test, deleted with its WAL files and row files afterwards.</summary>
internal sealed class SqliteTestDatabase : IDisposable
{
    private readonly List<SqliteStore> _stores = [];

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"txp-{Guid.NewGuid():N}.db");

    public string ConnectionString => $"Data Source={Path}";

    /// <summary>Creates a store over the file; calling it again is a restart: a new instance over the same data.</summary>
    public SqliteStore CreateStore(int importWriters = 2)
    {
        var store = new SqliteStore(new SqliteStoreOptions { ConnectionString = ConnectionString, ImportWriters = importWriters });
        _stores.Add(store);
        return store;
    }

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        // Pooled connections keep the file open; release them before deleting.
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
        {
            File.Delete(Path + suffix);
        }

        if (Directory.Exists(SqliteRowFiles.Folder(Path)))
        {
            Directory.Delete(SqliteRowFiles.Folder(Path), recursive: true);
        }
    }
}

public sealed class SqliteJobStoreTests : JobStoreConformanceTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    protected override Task<IJobStore> CreateStoreAsync() => Task.FromResult<IJobStore>(_database.CreateStore());

    protected override Task<IJobStore> ReopenStoreAsync() => Task.FromResult<IJobStore>(_database.CreateStore());

    public void Dispose() => _database.Dispose();
}

public sealed class SqliteTransactionStoreTests : TransactionStoreConformanceTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    protected override Task<ITransactionStore> CreateStoreAsync() => Task.FromResult<ITransactionStore>(_database.CreateStore());

    protected override Task<ITransactionStore> ReopenStoreAsync() => Task.FromResult<ITransactionStore>(_database.CreateStore());

    public void Dispose() => _database.Dispose();
}

public sealed class SqliteResultStoreTests : ResultStoreConformanceTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    protected override Task<IResultStore> CreateStoreAsync() => Task.FromResult<IResultStore>(_database.CreateStore());

    protected override Task<IResultStore> ReopenStoreAsync() => Task.FromResult<IResultStore>(_database.CreateStore());

    public void Dispose() => _database.Dispose();
}

public sealed class SqliteWebhookStoreTests : WebhookStoreConformanceTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    protected override Task<IWebhookStore> CreateStoreAsync() => Task.FromResult<IWebhookStore>(_database.CreateStore());

    protected override Task<IWebhookStore> ReopenStoreAsync() => Task.FromResult<IWebhookStore>(_database.CreateStore());

    public void Dispose() => _database.Dispose();
}

public sealed class SqliteIdempotencyStoreTests : IdempotencyStoreConformanceTests, IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    protected override Task<IIdempotencyStore> CreateStoreAsync() => Task.FromResult<IIdempotencyStore>(_database.CreateStore());

    protected override Task<IIdempotencyStore> ReopenStoreAsync() => Task.FromResult<IIdempotencyStore>(_database.CreateStore());

    public void Dispose() => _database.Dispose();
}
