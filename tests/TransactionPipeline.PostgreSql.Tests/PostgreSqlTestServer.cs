namespace TransactionPipeline.PostgreSql.Tests;

/// <summary>Where the tests find their PostgreSQL server: a full Npgsql connection string in an environment variable.</summary>
/// <remarks>
/// Unset, every class of PostgreSQL tests is reported as one skipped test with <see cref="SkipReason"/>, so a machine with only the .NET SDK still
/// passes. Set, the tests run, and a server that cannot be reached makes them fail.
/// </remarks>
internal static class PostgreSqlTestServer
{
    public const string Variable = "PIPELINE_TEST_POSTGRES";

    public static string? ConnectionString { get; } = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public const string CitusVariable = "PIPELINE_TEST_CITUS";

    /// <summary>Gets the connection string of a Citus coordinator (with workers added), or null when there is none.</summary>
    public static string? CitusConnectionString { get; } = Environment.GetEnvironmentVariable(CitusVariable) is { Length: > 0 } value ? value : null;

    public static string? CitusSkipReason => CitusConnectionString is null
        ? $"{CitusVariable} is not set. These tests need a Citus coordinator with workers: set it to a full Npgsql connection string of "
          + "the coordinator's database, whose role may create schemas (.ci/services.sh builds Citus and starts a coordinator and two workers)."
        : null;

    public static string? SkipReason => ConnectionString is null
        ? $"{Variable} is not set. These tests need a PostgreSQL server: set it to a full Npgsql connection string whose role may "
          + "create schemas, for example Host=127.0.0.1;Username=pipeline;Password=pipeline;Database=pipeline_tests (.ci/services.sh starts one)."
        : null;
}

/// <summary>Skips a class of PostgreSQL tests, reported once with the reason, when <see cref="PostgreSqlTestServer.Variable"/> is not set.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class RequiresPostgreSqlAttribute : StoreAvailabilityAttribute
{
    public override string? SkipReason => PostgreSqlTestServer.SkipReason;
}

/// <summary>Skips a class of Citus tests, reported once with the reason, when <see cref="PostgreSqlTestServer.CitusVariable"/> is not set.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class RequiresCitusAttribute : StoreAvailabilityAttribute
{
    public override string? SkipReason => PostgreSqlTestServer.CitusSkipReason;
}
