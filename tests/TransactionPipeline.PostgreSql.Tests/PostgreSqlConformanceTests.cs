namespace TransactionPipeline.PostgreSql.Tests;

[RequiresPostgreSql]
public sealed class PostgreSqlJobStoreTests : JobStoreConformanceTests, IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();

    protected override Task<IJobStore> CreateStoreAsync() => Task.FromResult<IJobStore>(_database.CreateStore());

    protected override Task<IJobStore> ReopenStoreAsync() => Task.FromResult<IJobStore>(_database.CreateStore());

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();
}

[RequiresPostgreSql]
public sealed class PostgreSqlTransactionStoreTests : TransactionStoreConformanceTests, IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();

    protected override Task<ITransactionStore> CreateStoreAsync() => Task.FromResult<ITransactionStore>(_database.CreateStore());

    protected override Task<ITransactionStore> ReopenStoreAsync() => Task.FromResult<ITransactionStore>(_database.CreateStore());

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();
}

[RequiresPostgreSql]
public sealed class PostgreSqlResultStoreTests : ResultStoreConformanceTests, IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();

    protected override Task<IResultStore> CreateStoreAsync() => Task.FromResult<IResultStore>(_database.CreateStore());

    protected override Task<IResultStore> ReopenStoreAsync() => Task.FromResult<IResultStore>(_database.CreateStore());

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();
}

[RequiresPostgreSql]
public sealed class PostgreSqlWebhookStoreTests : WebhookStoreConformanceTests, IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();

    protected override Task<IWebhookStore> CreateStoreAsync() => Task.FromResult<IWebhookStore>(_database.CreateStore());

    protected override Task<IWebhookStore> ReopenStoreAsync() => Task.FromResult<IWebhookStore>(_database.CreateStore());

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();
}

[RequiresPostgreSql]
public sealed class PostgreSqlIdempotencyStoreTests : IdempotencyStoreConformanceTests, IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();

    protected override Task<IIdempotencyStore> CreateStoreAsync() => Task.FromResult<IIdempotencyStore>(_database.CreateStore());

    protected override Task<IIdempotencyStore> ReopenStoreAsync() => Task.FromResult<IIdempotencyStore>(_database.CreateStore());

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _database.DropAsync();
}
