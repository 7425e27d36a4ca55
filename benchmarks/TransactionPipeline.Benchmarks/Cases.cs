using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
#if DUCKDB
using DuckDB.NET.Data;
#endif
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TransactionPipeline.Benchmarks;

/// <summary>What one case measured; printed by the child process as one JSON line.</summary>
internal sealed record CaseResult(string Name, double Seconds, long Rows, long PeakBytes, Dictionary<string, double> Stages, string? Note = null)
{
    /// <summary>Gets the CPU time of the case's process (all threads), less sensitive than wall time to other load on the machine.</summary>
    public double CpuSeconds { get; init; } = -1;
}

/// <summary>The end-to-end cases: this pipeline and the tools a user would pick instead, on the same rows.</summary>
internal static class Cases
{
    public const string ResultPrefix = "RESULT ";

    /// <summary>The end of the name of a stage timed apart from the case (set-up, or a measurement after the job).</summary>
    public const string ExcludedSuffix = " (excluded)";

    /// <summary>Above this input size the whole-document deserialisation would need several times the file in memory.</summary>
    public const long DeserializeLimit = 1536L << 20;

    public static readonly (string Name, bool IsReference, string Description)[] All =
    [
        ("pipeline-sqlite", false, "this pipeline, in process, SQLite store: bytes to offers"),
        ("pipeline-sqlite-1writer", false, "pipeline-sqlite with ImportWriters = 1: one rows file and writer per job, as before there were several"),
        ("pipeline-sqlite+sweep", false, "pipeline-sqlite while the worker's retention sweep runs every 100 ms and removes another completed job's 2 M rows as the import starts"),
        ("pipeline-sqlite+telemetry", false, "the same, with a listener taking every measurement and span of the pipeline (what an OpenTelemetry SDK attaches)"),
        ("pipeline-http", false, "this pipeline behind Kestrel on loopback, HttpClient streams the file in the same process: bytes to offers"),
        ("pipeline-postgres", false, "this pipeline, in process, PostgreSQL store on the --postgres server: bytes to offers (the server's memory and CPU are not in the figures)"),
        ("pipeline-postgres-1stream", false, "pipeline-postgres with CopyStreams = 1: one COPY stream per job, as before there were several"),
        ("pipeline-postgres+sweep", false, "pipeline-postgres with the sweep of pipeline-sqlite+sweep"),
        ("pipeline-postgres-x4", false, "4 jobs of the file at once on the --postgres server (rows are the 4 jobs' total)"),
        ("pipeline-postgres-x4-1stream", false, "pipeline-postgres-x4 with CopyStreams = 1"),
        ("pipeline-citus", false, "this pipeline, in process, on the --citus coordinator (2 workers): each job's rows a distributed table"),
        ("pipeline-citus-x4", false, "4 jobs of the file at once on the --citus coordinator"),
        ("pipeline-aggregate-only", false, "this pipeline, StoreTransactions = false: bytes to offers"),
        ("pipeline-aot-sqlite", false, "the quick start published as Native AOT, its own process: process FILE on SQLite, start-up included"),
        ("pipeline-aot-postgres", false, "the same on the --postgres server (the server's memory and CPU are not in the figures)"),
        ("pipeline-aot-aggregate-only", false, "the same with --aggregate-only (StoreTransactions = false)"),
        ("pipeline-aggregate-only+telemetry", false, "the same, with the listener of pipeline-sqlite+telemetry"),
        ("reader-only", false, "the SDK's streaming reader alone, in order on one core as when rows are stored, batches dropped"),
        ("json-deserialize-linq", true, "JsonSerializer.Deserialize of the whole document, LINQ GroupBy date"),
        ("sqlite-bare-insert", true, "Microsoft.Data.Sqlite prepared INSERT loop over the CSV rows, one transaction"),
        ("sqlite3-cli-csv", true, "sqlite3 CLI .import of the same rows as CSV"),
        ("psql-copy-csv", true, "psql \\copy of the same rows as CSV into an unindexed table on the --postgres server"),
        ("duckdb-seed", true, "DuckDB read_json on the seed-shaped file, GROUP BY date"),
        ("duckdb-ndjson", true, "DuckDB read_json on the same rows as NDJSON, GROUP BY date"),
    ];

    public static async Task<int> RunInChildAsync(string name, string file)
    {
        var clock = Stopwatch.StartNew();
        var stages = new Dictionary<string, double>();
        long? externalPeak = null;
        double? externalCpu = null;
        long rows;
        try
        {
            // "+telemetry": the same case, with every instrument and span of the pipeline listened to.
            using var telemetry = name.EndsWith("+telemetry", StringComparison.Ordinal) ? new TelemetryListener() : null;
            rows = await RunAsync(name.Replace("+telemetry", string.Empty, StringComparison.Ordinal), file, stages, peak => externalPeak = peak, cpu => externalCpu = cpu);
        }
        catch (SkipException skip)
        {
            Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(new CaseResult(name, -1, 0, -1, stages, skip.Message)));
            return 0;
        }

        // Set-up and measurements taken after the job (another job to sweep, the removal of the job's rows) are
        // recorded as stages named "... (excluded)" and kept out of the case's time.
        var seconds = clock.Elapsed.TotalSeconds - stages.Where(s => s.Key.EndsWith(ExcludedSuffix, StringComparison.Ordinal)).Sum(s => s.Value);
        using var self = Process.GetCurrentProcess();
        var result = new CaseResult(name, seconds, rows, externalPeak ?? PeakWorkingSet(), stages)
        {
            CpuSeconds = externalCpu ?? (name is "sqlite3-cli-csv" or "psql-copy-csv" ? -1 : self.TotalProcessorTime.TotalSeconds),
        };
        Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
        return 0;
    }

    private static async Task<long> RunAsync(string name, string file, Dictionary<string, double> stages, Action<long> reportPeak, Action<double> reportCpu)
    {
        long? externalPeak = null;
        var rows = name switch
        {
            "pipeline-sqlite" => await PipelineAsync(file, storeTransactions: true, stages),
            "pipeline-sqlite-1writer" => await PipelineAsync(file, storeTransactions: true, stages, writers: 1),
            "pipeline-sqlite+sweep" => await WithDatabaseAsync("sweep-bench", database => RunPipelineAsync(
                file, stages, services => services.AddTransactionPipeline(Sweeping).UseSqlite($"Data Source={database}"), sweep: true)),
            "pipeline-aggregate-only" => await PipelineAsync(file, storeTransactions: false, stages),
            "pipeline-aot-sqlite" => await AotCases.RunAsync(file, "sqlite", peak => externalPeak = peak, reportCpu),
            "pipeline-aot-postgres" => await AotCases.RunAsync(file, "postgres", peak => externalPeak = peak, reportCpu),
            "pipeline-aot-aggregate-only" => await AotCases.RunAsync(file, "aggregate-only", peak => externalPeak = peak, reportCpu),
            "pipeline-http" => await HttpAsync(file, stages),
            "reader-only" => await ReaderOnlyAsync(file),
            "json-deserialize-linq" => await DeserializeAsync(file, stages),
            "sqlite-bare-insert" => BareInsert(file),
            "sqlite3-cli-csv" => SqliteCli(file, out externalPeak),
            "pipeline-postgres" => await PostgresCases.PipelineAsync(file, stages),
            "pipeline-postgres-1stream" => await PostgresCases.PipelineAsync(file, stages, copyStreams: 1),
            "pipeline-postgres+sweep" => await PostgresCases.PipelineAsync(file, stages, sweep: true),
            "pipeline-postgres-x4" => await PostgresCases.PipelineAsync(file, stages, jobs: 4),
            "pipeline-postgres-x4-1stream" => await PostgresCases.PipelineAsync(file, stages, jobs: 4, copyStreams: 1),
            "pipeline-citus" => await PostgresCases.PipelineAsync(file, stages, citus: true),
            "pipeline-citus-x4" => await PostgresCases.PipelineAsync(file, stages, citus: true, jobs: 4),
            "psql-copy-csv" => await PostgresCases.PsqlCopyAsync(file, peak => externalPeak = peak),
            "duckdb-seed" when new FileInfo(file).Length > DeserializeLimit => throw new SkipException(
                $"skipped above {DeserializeLimit >> 20} MB: read_json holds the whole document as one value (about 5x the file in memory)"),
            "duckdb-seed" => DuckDb(file, $"(SELECT unnest(data) AS d FROM read_json('{file}', maximum_object_size = {new FileInfo(file).Length + (1 << 20)}))", "d."),
            "duckdb-ndjson" => DuckDb(file, $"read_json('{SeedRows.NdjsonPath(file)}', format = 'newline_delimited', columns = {{amount: 'DECIMAL(15,2)', date: 'DATE', is_revenue: 'BOOLEAN', description: 'VARCHAR'}})", string.Empty),
            _ => throw new ArgumentException($"Unknown case '{name}'. Cases: {string.Join(", ", All.Select(c => c.Name))}."),
        };
        if (externalPeak is { } peak)
        {
            reportPeak(peak);
        }

        return rows;
    }

    private static async Task<long> PipelineAsync(string file, bool storeTransactions, Dictionary<string, double> stages, int? writers = null) =>
        await WithDatabaseAsync("pipeline-bench", database => RunPipelineAsync(
            file,
            stages,
            services => services.AddTransactionPipeline(o => o.StoreTransactions = storeTransactions).UseSqlite(o =>
            {
                o.ConnectionString = $"Data Source={database}";
                o.ImportWriters = writers ?? o.ImportWriters;
            })));

    /// <summary>Retention for the "+sweep" cases: a sweep every 100 ms that removes a completed job's rows at once.</summary>
    internal static void Sweeping(TransactionPipelineOptions options)
    {
        options.Retention.CompletedJobRows = TimeSpan.Zero;
        options.Retention.SweepInterval = TimeSpan.FromMilliseconds(100);
    }

    /// <summary>Runs the file through a pipeline registered by <paramref name="register"/>, bytes to offers.</summary>
    /// <param name="file">The input.</param>
    /// <param name="stages">Receives the stage times, and the time to remove the job's rows afterwards.</param>
    /// <param name="register">Registers the pipeline and its store.</param>
    /// <param name="sweep">
    /// Stores another completed job of 2 M rows first (excluded from the time), then runs the import with the worker's
    /// retention sweep going (<see cref="Sweeping"/>): its first round removes that job's rows as the import starts.
    /// </param>
    /// <returns>The transactions imported.</returns>
    /// <param name="jobs">How many jobs of the file run at once; the rows are their total, the stages the first one's.</param>
    internal static async Task<long> RunPipelineAsync(
        string file, Dictionary<string, double> stages, Action<ServiceCollection> register, bool sweep = false, int jobs = 1)
    {
        var services = new ServiceCollection();
        register(services);
        await using var provider = services.BuildServiceProvider();
        var pipeline = provider.GetRequiredService<IPipeline>();
        using var stopWorker = new CancellationTokenSource();
        var worker = Task.CompletedTask;
        if (sweep)
        {
            var setup = Stopwatch.StartNew();
            var other = await pipeline.RunAsync(PipelineInput.FromTransactions(OtherJobRows(2_000_000)), CancellationToken.None);
            stages["other job" + ExcludedSuffix] = setup.Elapsed.TotalSeconds;
            if (other.State != JobState.JobComplete)
            {
                throw new InvalidOperationException($"The job to sweep ended {other.State}: {other.Error?.Message}");
            }

            worker = provider.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stopWorker.Token);
        }

        var all = await Task.WhenAll(Enumerable.Range(0, jobs).Select(_ => Task.Run(async () =>
        {
            await using var input = SeedRows.OpenSequential(file);
            return await pipeline.RunAsync(PipelineInput.FromJson(input), CancellationToken.None);
        })));
        var status = all.FirstOrDefault(s => s.State != JobState.JobComplete) ?? all[0];
        await stopWorker.CancelAsync();
        await worker;
        if (status.State != JobState.JobComplete)
        {
            throw new InvalidOperationException($"The job ended {status.State}: {status.Error?.Message}");
        }

        // Reading the job's events back to show its stage times is the benchmark's own work, not the job's.
        var reading = Stopwatch.StartNew();
        await RecordStagesAsync(pipeline, status.JobId, stages);
        stages["stage times read" + ExcludedSuffix] = reading.Elapsed.TotalSeconds;
        if (!sweep && provider.GetRequiredService<IOptions<TransactionPipelineOptions>>().Value.StoreTransactions)
        {
            // What a delete or the retention sweep costs for this job: its rows file removed, its table dropped.
            var removal = Stopwatch.StartNew();
            await provider.GetRequiredService<ITransactionStore>().DeleteAsync(status.JobId, CancellationToken.None);
            stages["delete rows" + ExcludedSuffix] = removal.Elapsed.TotalSeconds;
        }

        return all.Sum(s => s.Progress.TransactionsImported);
    }

    private static async IAsyncEnumerable<TransactionRecord> OtherJobRows(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return new TransactionRecord(10.25m + (i % 1000), new DateOnly(2024, 1, 1).AddDays(i % 60), i % 3 != 0, $"other job item {i}");
        }

        await Task.CompletedTask;
    }

    /// <summary>
    /// The host sample's setup on a real Kestrel at 127.0.0.1 (free port), the file streamed from disk by HttpClient
    /// in the same process, then the status route polled until the job completes.
    /// </summary>
    private static async Task<long> HttpAsync(string file, Dictionary<string, double> stages) =>
        await WithDatabaseAsync("http-bench", async database =>
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Services.AddTransactionPipeline().UseSqlite($"Data Source={database}").AddHttpAdapter();
            await using var app = builder.Build();
            app.MapTransactionPipeline();
            await app.StartAsync();
            try
            {
                using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = Timeout.InfiniteTimeSpan };
                await using var input = SeedRows.OpenSequential(file);
                using var content = new StreamContent(input, 256 * 1024);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var clock = Stopwatch.StartNew();
                using var submitted = await client.PostAsync(new Uri("api/financial-transactions/process-transactions/", UriKind.Relative), content);
                var answer = await submitted.Content.ReadAsStringAsync();
                if (submitted.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"The submit answered {(int)submitted.StatusCode}: {answer}");
                }

                stages["until 202"] = clock.Elapsed.TotalSeconds;
                var jobId = JsonDocument.Parse(answer).RootElement.GetProperty("job_id").GetString()!;
                while (true)
                {
                    using var status = JsonDocument.Parse(await client.GetStringAsync(new Uri($"api/jobs/{jobId}/status/", UriKind.Relative)));
                    var state = status.RootElement.GetProperty("status").GetString();
                    if (state is "JOB_COMPLETE")
                    {
                        await RecordStagesAsync(app.Services.GetRequiredService<IPipeline>(), jobId, stages);
                        return status.RootElement.GetProperty("progress").GetProperty("transactions_imported").GetInt64();
                    }

                    if (state is "FAILED")
                    {
                        throw new InvalidOperationException($"The job failed: {status.RootElement}");
                    }

                    await Task.Delay(50);
                }
            }
            finally
            {
                await app.StopAsync();
            }
        });

    /// <summary>Times each stage from the job's events.</summary>
    private static async Task RecordStagesAsync(IPipeline pipeline, string jobId, Dictionary<string, double> stages)
    {
        var events = new Dictionary<string, DateTimeOffset>();
        await foreach (var jobEvent in pipeline.WatchAsync(jobId, 0, CancellationToken.None))
        {
            events.TryAdd(jobEvent.EventType, jobEvent.Timestamp);
        }

        stages["import"] = (events[JobEventTypes.ImportCompleted] - events[JobEventTypes.ImportStarted]).TotalSeconds;
        stages["aggregate"] = (events[JobEventTypes.AggregationCompleted] - events[JobEventTypes.ImportCompleted]).TotalSeconds;
        stages["model+offers"] = (events[JobEventTypes.JobComplete] - events[JobEventTypes.AggregationCompleted]).TotalSeconds;
    }

    /// <summary>Runs <paramref name="body"/> on a fresh SQLite database file in the temp folder and deletes it afterwards.</summary>
    private static async Task<long> WithDatabaseAsync(string prefix, Func<string, Task<long>> body)
    {
        var database = Path.Combine(Path.GetTempPath(), $"{prefix}-{Environment.ProcessId}.db");
        DeleteDatabase(database);
        try
        {
            return await body(database);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            DeleteDatabase(database);
        }
    }

    private static async Task<long> ReaderOnlyAsync(string file)
    {
        await using var input = SeedRows.OpenSequential(file);
        return await SeedRows.ReadAsync(input, _ => { });
    }

    private static async Task<long> DeserializeAsync(string file, Dictionary<string, double> stages)
    {
        if (new FileInfo(file).Length > DeserializeLimit)
        {
            throw new SkipException($"skipped above {DeserializeLimit >> 20} MB: the whole document would need several times the file in memory");
        }

        var clock = Stopwatch.StartNew();
        await using var input = SeedRows.OpenSequential(file);
        var document = await JsonSerializer.DeserializeAsync<SeedDocument>(input, SeedDocument.Options)
            ?? throw new InvalidDataException("The file holds JSON null.");
        stages["deserialize"] = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var groups = document.GroupByDate();
        stages["group-by"] = clock.Elapsed.TotalSeconds;
        return groups.Sum(g => (long)g.Count);
    }

    private static long BareInsert(string file)
    {
        var database = Path.Combine(Path.GetTempPath(), $"bare-bench-{Environment.ProcessId}.db");
        DeleteDatabase(database);
        try
        {
            using var connection = new SqliteConnection($"Data Source={database}");
            connection.Open();
            using (var create = connection.CreateCommand())
            {
                create.CommandText = "CREATE TABLE t (amount, date, is_revenue, description);";
                create.ExecuteNonQuery();
            }

            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO t VALUES ($a, $d, $r, $s);";
            var amount = insert.Parameters.Add("$a", SqliteType.Text);
            var date = insert.Parameters.Add("$d", SqliteType.Text);
            var revenue = insert.Parameters.Add("$r", SqliteType.Integer);
            var description = insert.Parameters.Add("$s", SqliteType.Text);
            insert.Prepare();
            long rows = 0;
            using var reader = new StreamReader(SeedRows.CsvPath(file));
            reader.ReadLine();
            while (reader.ReadLine() is { } line)
            {
                // amount,date,is_revenue,"description": the first three fields never hold a comma.
                var first = line.IndexOf(',', StringComparison.Ordinal);
                var second = line.IndexOf(',', first + 1);
                var third = line.IndexOf(',', second + 1);
                amount.Value = line[..first];
                date.Value = line[(first + 1)..second];
                revenue.Value = line[second + 1] == '1' ? 1L : 0L;
                description.Value = line[(third + 2)..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
                insert.ExecuteNonQuery();
                rows++;
            }

            transaction.Commit();
            return rows;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            DeleteDatabase(database);
        }
    }

    private static long SqliteCli(string file, out long? peakBytes)
    {
        var database = Path.Combine(Path.GetTempPath(), $"cli-bench-{Environment.ProcessId}.db");
        DeleteDatabase(database);
        try
        {
            // GNU time reports the child's peak RSS; without it the peak is unknown.
            var timed = File.Exists("/usr/bin/time");
            var start = new ProcessStartInfo(timed ? "/usr/bin/time" : "sqlite3") { RedirectStandardError = true, RedirectStandardOutput = true };
            if (timed)
            {
                start.ArgumentList.Add("-f");
                start.ArgumentList.Add("PEAK_KB %M");
                start.ArgumentList.Add("sqlite3");
            }

            foreach (var argument in new[] { database, "-cmd", ".mode csv", $".import '{SeedRows.CsvPath(file)}' t", "SELECT count(*) FROM t;" })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("sqlite3 did not start.");
            var output = process.StandardOutput.ReadToEnd();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"sqlite3 failed: {error}");
            }

            var peak = error.Split('\n').FirstOrDefault(l => l.StartsWith("PEAK_KB ", StringComparison.Ordinal));
            peakBytes = peak is null ? -1 : long.Parse(peak[8..], CultureInfo.InvariantCulture) * 1024;
            return long.Parse(output.Trim(), CultureInfo.InvariantCulture);
        }
        finally
        {
            DeleteDatabase(database);
        }
    }

    private static long DuckDb(string file, string source, string prefix)
    {
#if !DUCKDB
        throw new SkipException("built without DuckDB: run with -p:WithDuckDb=true for the DuckDB cases");
#else
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {prefix}date, SUM(CAST({prefix}amount AS DECIMAL(15,2))),
                   SUM(CASE WHEN {prefix}is_revenue THEN CAST({prefix}amount AS DECIMAL(15,2)) ELSE 0 END), COUNT(*)
            FROM {source} GROUP BY {prefix}date ORDER BY 1;
            """;
        using var reader = command.ExecuteReader();
        long rows = 0;
        while (reader.Read())
        {
            rows += Convert.ToInt64(reader.GetValue(3), CultureInfo.InvariantCulture);
        }

        return rows;
#endif
    }

    private static long PeakWorkingSet()
    {
        // VmHWM is the peak resident set of this process, native memory (SQLite, DuckDB) included.
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    internal static void DeleteDatabase(string path)
    {
        foreach (var suffix in new[] { string.Empty, "-wal", "-shm", "-journal" })
        {
            File.Delete(path + suffix);
        }

        // The jobs' row files, which the SQLite store keeps in a folder beside the database.
        if (Directory.Exists(path + ".rows"))
        {
            Directory.Delete(path + ".rows", recursive: true);
        }
    }
}

/// <summary>A case that does not apply to this input; the table shows the reason instead of figures.</summary>
internal sealed class SkipException(string reason) : Exception(reason);

/// <summary>Listens to every instrument and span of the pipeline, as an OpenTelemetry SDK with the pipeline's meter and source added does.</summary>
internal sealed class TelemetryListener : IDisposable
{
    private readonly System.Diagnostics.Metrics.MeterListener _meters = new();
    private readonly ActivityListener _spans;
    private long _measurements;
    private long _ended;

    public TelemetryListener()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "TransactionPipeline")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        _meters.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        _meters.Start();
        _spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "TransactionPipeline",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ => Interlocked.Increment(ref _ended),
        };
        ActivitySource.AddActivityListener(_spans);
    }

    public void Dispose()
    {
        _meters.RecordObservableInstruments();
        Console.Error.WriteLine($"telemetry: {_measurements} measurements, {_ended} spans");
        _meters.Dispose();
        _spans.Dispose();
    }
}
