using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace TransactionPipeline.PostgreSql.Tests;

/// <summary>A schema of its own on the test server, one per test: the stores create it on first use, and <see cref="DropAsync"/> drops it.</summary>
internal sealed class PostgreSqlTestDatabase(bool onCitus = false)
{
    private readonly List<IAsyncDisposable> _owned = [];

    /// <summary>Gets the connection string of the server this schema lives on: the plain server, or the Citus coordinator.</summary>
    public string ServerConnectionString => (onCitus ? PostgreSqlTestServer.CitusConnectionString : PostgreSqlTestServer.ConnectionString)
        ?? throw new InvalidOperationException($"{(onCitus ? PostgreSqlTestServer.CitusVariable : PostgreSqlTestServer.Variable)} is not set.");

    public string Schema { get; } = $"txp_test_{Guid.NewGuid():N}";

    public static string ConnectionString => PostgreSqlTestServer.ConnectionString
        ?? throw new InvalidOperationException($"{PostgreSqlTestServer.Variable} is not set.");

    /// <summary>Points store options at this test's schema.</summary>
    public void Configure(PostgreSqlStoreOptions options)
    {
        options.ConnectionString = ServerConnectionString;
        options.Schema = Schema;
    }

    /// <summary>Creates a store over the schema; calling it again is a restart: a new instance, with its own pool, over the same data.</summary>
    public PostgreSqlStore CreateStore(Action<PostgreSqlStoreOptions>? configure = null)
    {
        var options = new PostgreSqlStoreOptions();
        Configure(options);
        configure?.Invoke(options);
        var store = new PostgreSqlStore(options);
        _owned.Add(store);
        return store;
    }

    /// <summary>Builds a host's services: the pipeline on this schema, with short intervals so tests do not wait.</summary>
    public ServiceProvider CreateHost(Action<TransactionPipelineOptions>? configure = null, Action<ITransactionPipelineBuilder>? plugins = null)
    {
        var services = new ServiceCollection();
        var builder = services.AddTransactionPipeline(o =>
            {
                o.ImportBatchSize = 250;
                o.ProgressInterval = TimeSpan.FromMilliseconds(10);
                o.EventPollInterval = TimeSpan.FromMilliseconds(20);
                configure?.Invoke(o);
            })
            .UsePostgreSql(Configure);
        plugins?.Invoke(builder);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _owned.Add(provider);
        return provider;
    }

    /// <summary>Runs a query in this schema on a connection of its own and returns the first column of the first row.</summary>
    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString(Schema));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync() is var value and not DBNull ? (T)value! : default!;
    }

    /// <summary>Reads the first column of every row of a query, as text: an EXPLAIN plan, say.</summary>
    public async Task<List<string>> LinesAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString(Schema));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }

    public Task<long> CountAsync(string table) => ScalarAsync<long>($"SELECT count(*) FROM {table};");

    /// <summary>Gets the per-job row tables in this schema (<c>transaction_rows_KEY</c>).</summary>
    public async Task<string[]> RowTablesAsync() =>
        await ScalarAsync<string[]?>(
            $"SELECT array_agg(tablename::text ORDER BY tablename) FROM pg_tables WHERE schemaname = '{Schema}' AND tablename LIKE 'transaction\\_rows\\_%';") ?? [];

    /// <summary>Counts every job's stored rows, over the per-job row tables; safe while jobs drop theirs.</summary>
    public async Task<long> CountRowsAsync()
    {
        long rows = 0;
        foreach (var table in await RowTablesAsync())
        {
            try
            {
                rows += await CountAsync($"{Schema}.{table}");
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // Dropped between the listing and the count: the job's rows are gone, which is what a caller polls for.
            }
        }

        return rows;
    }

    /// <summary>Gets the rows of one job as a <c>FROM</c> item (its one table, or its tables together when several COPY streams wrote them), or null when it has none.</summary>
    public async Task<string?> RowTableOfAsync(string jobId)
    {
        if (await ScalarAsync<long[]?>($"SELECT ARRAY[job_key, row_tables] FROM {Schema}.transaction_jobs WHERE job_id = '{jobId}';") is not [var key, var tables])
        {
            return null;
        }

        return tables == 1
            ? $"{Schema}.transaction_rows_{key}"
            : "(" + string.Join(" UNION ALL ", Enumerable.Range(0, (int)tables).Select(i => $"SELECT * FROM {Schema}.transaction_rows_{key}{(i == 0 ? "" : $"_{i}")}")) + ") AS job_rows";
    }

    /// <summary>Disposes the stores and hosts made here, then drops the schema; the test class calls it from its <see cref="IAsyncLifetime"/>.</summary>
    public async Task DropAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        if ((onCitus ? PostgreSqlTestServer.CitusConnectionString : PostgreSqlTestServer.ConnectionString) is null || _owned.Count == 0)
        {
            // Nothing here could have created the schema.
            return;
        }

        await using var connection = new NpgsqlConnection(AdminConnectionString(null));
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE;", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>A connection string without pooling: each test's own connections close with it instead of idling in a pool per schema.</summary>
    private string AdminConnectionString(string? searchPath) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Pooling = false, SearchPath = searchPath }.ConnectionString;
}
