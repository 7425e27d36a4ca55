using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace TransactionPipeline.PostgreSql;

/// <summary>The production store: jobs, events, raw transactions, results and webhooks in a PostgreSQL schema that several hosts share.</summary>
/// <remarks>
/// <para>
/// Every operation takes a connection of its own from one <see cref="NpgsqlDataSource"/>, so the store is thread-safe and
/// concurrent jobs never share a connection. Each write that must be atomic is one statement or one short transaction:
/// job ids come from a per-day counter row, events get their sequence from the job row they update, and a claim is one
/// conditional <c>UPDATE</c>, so hosts sharing the database coordinate through PostgreSQL's row locks alone.
/// </para>
/// <para>
/// Times are stored as <c>timestamptz</c>, which keeps microseconds: the store truncates the 100 ns ticks of a
/// <see cref="DateTimeOffset"/> before writing, and returns what it stored.
/// </para>
/// </remarks>
internal sealed partial class PostgreSqlStore : IJobStore, ITransactionStore, IResultStore, IAsyncDisposable, IDisposable
{
    /// <summary>The tables the schema script creates; checked when the store may not create them itself.</summary>
    private static readonly string[] Tables =
    [
        "job_id_counters", "jobs", "job_events", "transaction_jobs", "results", "aggregates", "assessments", "offers", "webhooks",
        "idempotency_keys", "leases",
    ];

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string _schema;
    private readonly bool _createSchema;
    private readonly bool? _citus;
    private volatile bool _distributeRows;
    private readonly int _copyStreams;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    /// <summary>Points a connection of a shared data source at the schema; <see langword="null"/> when the store's own data source does it.</summary>
    private readonly string? _searchPathCommand;

    /// <param name="options">The store's options.</param>
    /// <param name="loggerFactory">Where Npgsql logs, for a data source the store builds.</param>
    /// <param name="sharedDataSource">
    /// The application's data source, used when <see cref="PostgreSqlStoreOptions.ConnectionString"/> is empty: the store
    /// then opens its connections from it (sharing its pool, its logging and its telemetry), never disposes it, and sets
    /// each connection's <c>search_path</c> to the schema itself.
    /// </param>
    public PostgreSqlStore(PostgreSqlStoreOptions options, ILoggerFactory? loggerFactory = null, NpgsqlDataSource? sharedDataSource = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IsValidSchemaName(options.Schema))
        {
            throw new ArgumentException($"'{options.Schema}' is not a lower-case identifier of at most 63 characters.", nameof(options));
        }

        if (options.CopyStreams is < 1 or > PostgreSqlStoreOptions.MaxCopyStreams)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CopyStreams, $"PostgreSqlStoreOptions.CopyStreams must be between 1 and {PostgreSqlStoreOptions.MaxCopyStreams}.");
        }

        _schema = options.Schema;
        _copyStreams = options.CopyStreams;
        _createSchema = options.CreateSchema;
        _citus = options.Citus;
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            _dataSource = sharedDataSource ?? throw new ArgumentException(
                "PostgreSqlStoreOptions.ConnectionString is empty and no NpgsqlDataSource is registered: set one or the other.", nameof(options));
            if (UsesMultiplexing(_dataSource.ConnectionString))
            {
                throw new ArgumentException("The registered NpgsqlDataSource turns on Multiplexing, under which Npgsql has no COPY; the store appends rows with COPY.", nameof(sharedDataSource));
            }

            _searchPathCommand = $"SET search_path TO \"{_schema}\";";
            return;
        }

        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);

        // Unqualified table names in every statement resolve to the configured schema (pg_catalog is always searched too).
        builder.ConnectionStringBuilder.SearchPath = _schema;
        builder.ConnectionStringBuilder.ApplicationName ??= "TransactionPipeline";
        if (loggerFactory is not null)
        {
            builder.UseLoggerFactory(loggerFactory);
        }

        _dataSource = builder.Build();
        _ownsDataSource = true;
    }

    public static bool IsValidSchemaName(string? name) =>
        name is { Length: > 0 and <= 63 }
        && !char.IsAsciiDigit(name[0])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    public static bool IsValidConnectionString(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Returns whether the connection string turns on Npgsql's multiplexing, under which COPY is not available.</summary>
    public static bool UsesMultiplexing(string connectionString) =>
        IsValidConnectionString(connectionString) && new NpgsqlConnectionStringBuilder(connectionString).Multiplexing;

    public void Dispose()
    {
        // Imports still open roll back and give their connections back.
        foreach (var jobId in _imports.Keys)
        {
            if (_imports.TryRemove(jobId, out var import))
            {
                import.Dispose();
            }
        }

        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }

        _schemaLock.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var jobId in _imports.Keys)
        {
            if (_imports.TryRemove(jobId, out var import))
            {
                await import.AbortAsync().ConfigureAwait(false);
            }
        }

        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }

        _schemaLock.Dispose();
    }

    /// <summary>Truncates a time to the microsecond that <c>timestamptz</c> keeps, in UTC (the only offset Npgsql writes).</summary>
    internal static DateTimeOffset ToStored(DateTimeOffset value) => new(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero);

    /// <summary>Returns the status exactly as the store keeps it, so what a write returns equals what a later read returns.</summary>
    internal static JobStatus ToStored(JobStatus status) => status with
    {
        CreatedAt = ToStored(status.CreatedAt),
        UpdatedAt = ToStored(status.UpdatedAt),
        CompletedAt = status.CompletedAt is { } completedAt ? ToStored(completedAt) : null,
    };

    private async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_schemaReady)
        {
            await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        }

        return await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a connection whose unqualified names resolve to the schema.</summary>
    private async ValueTask<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (_searchPathCommand is null)
        {
            return connection;
        }

        // A shared pool resets session state when a connection goes back to it, so this runs on every open.
        try
        {
            using var searchPath = new NpgsqlCommand(_searchPathCommand, connection);
            await searchPath.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
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

            var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            if (_createSchema)
            {
                await CreateSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await CheckSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            _distributeRows = await UsesCitusAsync(connection, cancellationToken).ConfigureAwait(false);
            await DropLeftoverRowTablesAsync(connection, cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    /// <summary>Whether job row tables are made Citus distributed tables: as <see cref="PostgreSqlStoreOptions.Citus"/> says, or when the extension is there.</summary>
    private async ValueTask<bool> UsesCitusAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (_citus == false)
        {
            return false;
        }

        using var command = new NpgsqlCommand("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus');", connection);
        var installed = (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return installed || _citus != true
            ? installed
            : throw new InvalidOperationException(
                "PostgreSqlStoreOptions.Citus is true, but the database has no citus extension: run CREATE EXTENSION citus on the coordinator (and each worker), or leave Citus unset.");
    }

    private async ValueTask CreateSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // Concurrent CREATE ... IF NOT EXISTS can still collide in the catalogs, so hosts that start together take turns.
        // The lock is transaction-scoped: a host that dies while holding it releases it.
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        using (var command = new NpgsqlCommand(
            "SELECT pg_advisory_xact_lock(hashtextextended('TransactionPipeline.PostgreSql schema ' || @schema, 0)), to_regnamespace(@schema) IS NULL;",
            connection,
            transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<string>("schema", _schema));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var missing = reader.GetBoolean(1);
            await reader.CloseAsync().ConfigureAwait(false);
            if (missing)
            {
                // Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists.
                await ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS \"{_schema}\";", cancellationToken).ConfigureAwait(false);
            }
        }

        await ExecuteAsync(connection, transaction, ReadSchemaScript(), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask CheckSchemaAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using var command = new NpgsqlCommand(
            "SELECT name FROM unnest(@tables) AS t(name) WHERE to_regclass(quote_ident(@schema) || '.' || quote_ident(name)) IS NULL;",
            connection);
        command.Parameters.Add(new NpgsqlParameter<string[]>("tables", Tables));
        command.Parameters.Add(new NpgsqlParameter<string>("schema", _schema));
        var missing = await ReadRowsAsync(command, r => r.GetString(0), cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The schema '{_schema}' lacks the tables {string.Join(", ", missing)} of the PostgreSQL store, and "
                + "PostgreSqlStoreOptions.CreateSchema is false. Create them with the script TransactionPipeline.PostgreSql.Schema.sql "
                + "embedded in the package, or let the store create them.");
        }
    }

    private static string ReadSchemaScript()
    {
        using var stream = typeof(PostgreSqlStore).Assembly.GetManifestResourceStream("TransactionPipeline.PostgreSql.Schema.sql")
            ?? throw new InvalidOperationException("The embedded resource Schema.sql is missing from TransactionPipeline.PostgreSql.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Runs a query on a connection of its own and streams its rows; the connection returns to the pool when the enumeration ends.</summary>
    private async IAsyncEnumerable<T> QueryAsync<T>(
        string sql, Action<NpgsqlParameterCollection> bind, Func<NpgsqlDataReader, T> read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        using var command = new NpgsqlCommand(sql, connection);
        bind(command.Parameters);
        await foreach (var row in ReadRowsAsync(command, read, cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    private static async IAsyncEnumerable<T> ReadRowsAsync<T>(
        NpgsqlCommand command, Func<NpgsqlDataReader, T> read, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return read(reader);
        }
    }

    /// <summary>Runs one statement on a pooled connection of its own; answers how many rows it changed.</summary>
    private async ValueTask<int> ExecuteAsync(string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        return await ExecuteAsync(connection, null, sql, cancellationToken, bind).ConfigureAwait(false);
    }

    private static async ValueTask<int> ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, Action<NpgsqlParameterCollection>? bind = null)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        bind?.Invoke(command.Parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
