using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TransactionPipeline.PostgreSql;

namespace TransactionPipeline.Benchmarks;

/// <summary>
/// The PostgreSQL cases: the pipeline on the PostgreSQL store, and <c>psql \copy</c> of the same rows as CSV, the bulk
/// loader a user would reach for. Both need a server, named by <c>--postgres CONNECTION</c> (passed to each child as
/// <see cref="ConnectionVariable"/>); each run works in a schema of its own, dropped afterwards.
/// </summary>
internal static class PostgresCases
{
    public const string ConnectionVariable = "PIPELINE_BENCH_POSTGRES";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } value ? value : null;

    public const string CitusVariable = "PIPELINE_BENCH_CITUS";

    public static string? CitusConnectionString => Environment.GetEnvironmentVariable(CitusVariable) is { Length: > 0 } value ? value : null;

    public static async Task<long> PipelineAsync(string file, Dictionary<string, double> stages, bool sweep = false, bool citus = false, int jobs = 1, int? copyStreams = null) =>
        await WithSchemaAsync(citus, (connectionString, schema) => Cases.RunPipelineAsync(
            file,
            stages,
            services => services.AddTransactionPipeline(sweep ? Cases.Sweeping : _ => { }).UsePostgreSql(o =>
            {
                o.ConnectionString = connectionString;
                o.Schema = schema;
                o.CopyStreams = copyStreams ?? o.CopyStreams;
            }),
            sweep,
            jobs));

    /// <summary><c>psql \copy</c> of the CSV rows into a table of the same columns (no index), under GNU time for its peak.</summary>
    public static async Task<long> PsqlCopyAsync(string file, Action<long> reportPeak) =>
        await WithSchemaAsync(citus: false, async (connectionString, schema) =>
        {
            await ExecuteAsync(connectionString, $"CREATE TABLE {schema}.t (amount numeric(15,2), date date, is_revenue boolean, description text);");
            var settings = new NpgsqlConnectionStringBuilder(connectionString);
            var timed = File.Exists("/usr/bin/time");
            var start = new ProcessStartInfo(timed ? "/usr/bin/time" : "psql") { RedirectStandardError = true, RedirectStandardOutput = true };
            if (timed)
            {
                start.ArgumentList.Add("-f");
                start.ArgumentList.Add("PEAK_KB %M");
                start.ArgumentList.Add("psql");
            }

            foreach (var argument in new[] { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", $"\\copy {schema}.t FROM '{SeedRows.CsvPath(file)}' WITH (FORMAT csv, HEADER true)" })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["PGHOST"] = settings.Host;
            start.Environment["PGPORT"] = settings.Port.ToString(CultureInfo.InvariantCulture);
            start.Environment["PGUSER"] = settings.Username;
            start.Environment["PGPASSWORD"] = settings.Password;
            start.Environment["PGDATABASE"] = settings.Database;
            using var process = Process.Start(start) ?? throw new InvalidOperationException("psql did not start.");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            await output;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"psql failed: {error}");
            }

            var peak = error.Split('\n').FirstOrDefault(l => l.StartsWith("PEAK_KB ", StringComparison.Ordinal));
            reportPeak(peak is null ? -1 : long.Parse(peak[8..], CultureInfo.InvariantCulture) * 1024);
            return await ScalarAsync(connectionString, $"SELECT count(*) FROM {schema}.t;");
        });

    internal static async Task<long> WithSchemaAsync(bool citus, Func<string, string, Task<long>> body)
    {
        var connectionString = (citus ? CitusConnectionString : ConnectionString)
            ?? throw new SkipException(citus ? "skipped: no Citus coordinator (e2e --citus CONNECTION)" : "skipped: no PostgreSQL server (e2e --postgres CONNECTION)");
        var schema = $"bench_{Environment.ProcessId}";
        await ExecuteAsync(connectionString, $"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};");
        try
        {
            return await body(connectionString, schema);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(connectionString, $"DROP SCHEMA IF EXISTS {schema} CASCADE;");
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
