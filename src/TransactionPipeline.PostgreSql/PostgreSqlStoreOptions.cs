namespace TransactionPipeline;

/// <summary>Configures the PostgreSQL store registered by <see cref="PostgreSqlTransactionPipelineBuilderExtensions.UsePostgreSql(ITransactionPipelineBuilder, Action{PostgreSqlStoreOptions})"/>.</summary>
/// <remarks>
/// Every host that should serve the same jobs points at the same database and <see cref="Schema"/>. The store keeps
/// its own connection pool; the connection string's <c>Search Path</c> is replaced by <see cref="Schema"/>.
/// </remarks>
public sealed class PostgreSqlStoreOptions
{
    /// <summary>The schema used when none is configured.</summary>
    public const string DefaultSchema = "transaction_pipeline";

    /// <summary>Gets or sets the Npgsql connection string, for example <c>Host=db;Database=pipeline;Username=app;Password=…</c>.</summary>
    /// <value>The default value is <see cref="string.Empty"/>: the store then uses the <c>NpgsqlDataSource</c> registered in the container, and fails to start without one.</value>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>Gets or sets the schema that holds the store's tables.</summary>
    /// <value>The default value is <see cref="DefaultSchema"/> (<c>transaction_pipeline</c>).</value>
    /// <remarks>
    /// A plain lower-case identifier: letters <c>a</c>–<c>z</c>, digits and underscores, not starting with a digit,
    /// at most 63 characters. Its own schema keeps the store's generic table names (<c>jobs</c>, <c>offers</c>) apart
    /// from the application's.
    /// </remarks>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>Gets or sets a value indicating whether the store creates its schema and tables on first use.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    /// <remarks>
    /// Creation is idempotent and serialised between hosts by an advisory lock. Set it to <see langword="false"/> when the
    /// application's role may not create objects: the schema and tables must then exist (the package embeds the script as
    /// the resource <c>TransactionPipeline.PostgreSql.Schema.sql</c>), and the first operation fails with the names of
    /// any that are missing.
    /// </remarks>
    public bool CreateSchema { get; set; } = true;

    /// <summary>The most COPY streams one import may use.</summary>
    public const int MaxCopyStreams = 16;

    /// <summary>Gets or sets how many COPY streams, each on a connection of its own, one job's import writes in parallel.</summary>
    /// <value>The default value is 4. At most <see cref="MaxCopyStreams"/>.</value>
    /// <remarks>
    /// <para>
    /// The server takes one COPY stream on one core. More streams let it ingest a job's rows on more cores while this
    /// process parses the file on its own: each writes a table of its own, loaded with <c>FREEZE</c> in its own
    /// transaction, and the job's rows become visible together when the last of them commits. Worth raising when the
    /// server has cores to spare; each import then holds that many pooled connections, so size the pool (<c>Max Pool
    /// Size</c>, 100 by default) and the server's <c>max_connections</c> for the jobs that run at once.
    /// </para>
    /// <para>On Citus an import always uses one stream: the coordinator spreads it over the workers' shards itself.</para>
    /// </remarks>
    public int CopyStreams { get; set; } = 4;

    /// <summary>Gets or sets whether each job's row table is a Citus distributed table.</summary>
    /// <value>
    /// The default value is <see langword="null"/>: yes when the database has the <c>citus</c> extension (the store is
    /// pointed at a Citus coordinator). <see langword="true"/> requires the extension; <see langword="false"/> keeps
    /// every table local, even on Citus.
    /// </value>
    /// <remarks>
    /// A job's rows are spread over the workers by their sequence number (hash-distributed, two shards per worker),
    /// so its COPY is routed to every worker at once, and its aggregation runs on the workers. Job state, events,
    /// results and webhooks stay ordinary tables on the coordinator: they are small and written row by row.
    /// </remarks>
    public bool? Citus { get; set; }
}
