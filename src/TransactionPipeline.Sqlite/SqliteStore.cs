using System.Data;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace TransactionPipeline.Sqlite;

/// <summary>The embedded store: jobs, events and results in one SQLite database file, each job's raw transactions in a file of their own.</summary>
/// <remarks>
/// <para>
/// Every operation opens its own connection from Microsoft.Data.Sqlite's pool, so the store is thread-safe and
/// concurrent jobs never share a connection. Writes run in short <c>BEGIN IMMEDIATE</c> transactions (one per
/// call, one per import batch): SQLite has a single writer, and WAL mode lets readers go on while it writes.
/// </para>
/// <para>
/// Microsoft.Data.Sqlite runs its "async" methods synchronously; the store still calls them so that a provider
/// that becomes truly asynchronous needs no change here.
/// </para>
/// </remarks>
internal sealed partial class SqliteStore : IJobStore, ITransactionStore, IResultStore, IDisposable
{
    private readonly string _connectionString;
    private readonly string _connectionPragmas;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private readonly string _rowsDirectory;
    private readonly RowWriters _rowWriters = new();
    private readonly int _importWriters;
    private volatile bool _schemaReady;

    public SqliteStore(SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString);
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString) { Pooling = true };
        _connectionString = builder.ToString();
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:" || builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"The SQLite store needs a database file path as its Data Source (got '{builder.DataSource}'): each job's raw rows are kept in a file of their own next to it.",
                nameof(options));
        }

        if (options.ImportWriters is < 1 or > MaxImportWriters)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ImportWriters, $"SqliteStoreOptions.ImportWriters must be between 1 and {MaxImportWriters}.");
        }

        _importWriters = options.ImportWriters;

        // Each job's rows in a file of its own, in a folder next to the database: deleting them is removing a file.
        _rowsDirectory = Path.GetFullPath(builder.DataSource) + ".rows";

        // synchronous and busy_timeout are per connection, so they run on every open; journal_mode=WAL is stored in the file.
        var busyMilliseconds = (long)options.BusyTimeout.TotalMilliseconds;
        _connectionPragmas = string.Create(
            CultureInfo.InvariantCulture, $"PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {busyMilliseconds};");
    }

    /// <summary>The most files (and writers) one job's rows are spread over.</summary>
    internal const int MaxImportWriters = SqliteStoreOptions.MaxImportWriters;

    /// <summary>Gets how many imports, each with its rows files open, are kept.</summary>
    internal int OpenRowWriters => _rowWriters.Count;

    public void Dispose()
    {
        _rowWriters.Dispose();
        _schemaLock.Dispose();
    }

    private async ValueTask<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_schemaReady)
        {
            await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        }

        return await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, null, _connectionPragmas, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private async ValueTask EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, null, ReadSchema(), cancellationToken).ConfigureAwait(false);

            // Columns added after a database was first made: SQLite has no ADD COLUMN IF NOT EXISTS.
            foreach (var column in (string[])["trace_parent", "cancel_requested_by", "tenant"])
            {
                using var columns = CreateCommand(connection, null, "SELECT 1 FROM pragma_table_info('jobs') WHERE name = @name;", ("@name", column));
                if (await columns.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
                {
                    await ExecuteAsync(connection, null, $"ALTER TABLE jobs ADD COLUMN {column} TEXT NULL;", cancellationToken).ConfigureAwait(false);
                }
            }

            // After the columns, since it needs the tenant one: a tenant's lists, newest first.
            await ExecuteAsync(connection, null, "CREATE INDEX IF NOT EXISTS ix_jobs_tenant_created ON jobs (tenant, created_at, id);", cancellationToken)
                .ConfigureAwait(false);

            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    private static string ReadSchema()
    {
        using var stream = typeof(SqliteStore).Assembly.GetManifestResourceStream("TransactionPipeline.Sqlite.Schema.sql")
            ?? throw new InvalidOperationException("The embedded resource Schema.sql is missing from TransactionPipeline.Sqlite.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async ValueTask<SqliteTransaction> BeginWriteAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        // Microsoft.Data.Sqlite begins non-deferred transactions with BEGIN IMMEDIATE: the write lock is taken up
        // front, so read-then-write sequences (next job number, next event sequence) cannot interleave.
        return (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
    }

    private static SqliteCommand CreateCommand(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    /// <summary>Runs a query on a connection of its own and streams its rows; the connection closes when the enumeration ends.</summary>
    private async IAsyncEnumerable<T> QueryAsync<T>(
        string sql, Func<SqliteDataReader, T> read, [EnumeratorCancellation] CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = CreateCommand(connection, null, sql, parameters);
        await foreach (var row in ReadRowsAsync(command, read, cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    private static async IAsyncEnumerable<T> ReadRowsAsync<T>(
        SqliteCommand command, Func<SqliteDataReader, T> read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return read(reader);
        }
    }

    /// <summary>Runs one statement on a pooled connection of its own; answers how many rows it changed.</summary>
    private async ValueTask<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null, sql, cancellationToken, parameters).ConfigureAwait(false);
    }

    private static async ValueTask<int> ExecuteAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = CreateCommand(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
