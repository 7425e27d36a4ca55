using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using QuickStart;
using TransactionPipeline;

// The main job, end to end on the embedded SQLite store (or PostgreSQL with --postgres):
//   generate FILE [--size 100MB] [--days 365]      write a deterministic data set in the seed's shape
//   process FILE [--db PATH]                         run it through the pipeline with live progress, then show the offers
//   resume [--db PATH]                               finish jobs a killed process left behind
//   demo [--size 20MB] [--db PATH]                   generate + process, in a temporary folder
// "COMMAND --help" (or -h anywhere) is a request for the help, not an unknown option.
var command = args.Length == 0 || args.Any(a => a is "--help" or "-h") ? "help" : args[0];
var options = CommandLine.Parse(args.Skip(1).ToArray());
using var cancellation = new CancellationTokenSource();
using var timings = new StageTimings();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

try
{
    string[] store = ["--db", "--postgres", "--schema"];
    return command switch
    {
        "generate" => await GenerateAsync(options.Allow(command, "--size", "--days").Positional(0, "FILE"), options, cancellation.Token),
        "process" => await ProcessAsync(options.Allow(command, [.. store, "--hold-after-import", "--aggregate-only"]).Positional(0, "FILE"), options, timings, cancellation.Token),
        "resume" => await ResumeAsync(options.Allow(command, store), timings, cancellation.Token),
        "demo" => await DemoAsync(options.Allow(command, ["--size", .. store]), timings, cancellation.Token),
        "help" or "--help" or "-h" => Help(exitCode: 0),
        _ => Help(),
    };
}
catch (FormatException ex)
{
    Console.Error.WriteLine(ex.Message);
    return Help();
}

static int Help(int exitCode = 2)
{
    Console.WriteLine("""
        Transaction Pipeline quick start

          demo [--size 20MB] [--db PATH]            generate a data set and process it (start here)
          generate FILE [--size 100MB] [--days 365] write a deterministic data set in the seed's shape
          process FILE [--db PATH] [--hold-after-import] [--aggregate-only]
                                                    import, aggregate, score and show the offers
          resume [--db PATH]                        finish the jobs a killed process left behind
          help                                      this text

        --db defaults to pipeline.db in the current folder; runs can be repeated against it.
        --postgres CONNECTION uses a PostgreSQL database instead of the SQLite file, for example
          --postgres "Host=localhost;Database=pipeline;Username=app;Password=secret" (tables in schema transaction_pipeline,
          or the one --schema NAME gives).
        --aggregate-only sums the file per day without storing its rows (StoreTransactions = false): the fastest mode.
        --hold-after-import stops each job after its import and scoring, before its results are stored, so that the
          process can be killed and resume tried (process only).
        An option a command does not take is refused.
        """);
    return exitCode;
}

static async Task<int> GenerateAsync(string path, CommandLine options, CancellationToken cancellationToken)
{
    var size = DataGenerator.ParseSize(options.Value("--size") ?? "100MB");
    var days = int.Parse(options.Value("--days") ?? "365", System.Globalization.CultureInfo.InvariantCulture);
    var clock = Stopwatch.StartNew();
    var (bytes, items) = await DataGenerator.WriteAsync(path, size, days, cancellationToken);
    Console.WriteLine($"Wrote {items:N0} transactions ({DataGenerator.FormatBytes(bytes)}) over {days} days to {path} in {clock.Elapsed.TotalSeconds:0.0} s.");
    return 0;
}

static async Task<int> DemoAsync(CommandLine options, StageTimings timings, CancellationToken cancellationToken)
{
    var folder = Directory.CreateTempSubdirectory("transaction-pipeline-demo-");
    var file = Path.Combine(folder.FullName, "transactions.json");
    var demo = options.With("--size", options.Value("--size") ?? "20MB").With("--db", options.Value("--db") ?? Path.Combine(folder.FullName, "pipeline.db"));
    await GenerateAsync(file, demo, cancellationToken);
    var exit = await ProcessAsync(file, demo, timings, cancellationToken);
    Console.WriteLine($"The data set and database are in {folder.FullName}.");
    return exit;
}

static async Task<int> ProcessAsync(string path, CommandLine options, StageTimings timings, CancellationToken cancellationToken)
{
    await using var services = BuildServices(options);
    var pipeline = services.GetRequiredService<IPipeline>();
    await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
    // A pipe or a device (/dev/stdin, say) has no length: the progress then shows no percentage.
    var display = new ProgressDisplay(path, file.CanSeek ? file.Length : null);
    var created = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
    var input = PipelineInput.FromJson(file);
    input.Progress = new Progress<JobStatus>(status => created.TrySetResult(status.JobId));

    var run = pipeline.RunAsync(input, cancellationToken);
    var jobId = await Task.WhenAny(created.Task, run) == created.Task ? await created.Task : (await run).JobId;
    await foreach (var jobEvent in pipeline.WatchAsync(jobId, 0, cancellationToken))
    {
        display.Show(jobEvent);
    }

    var status = await run;
    return await ReportAsync(pipeline, status, timings, cancellationToken);
}

static async Task<int> ResumeAsync(CommandLine options, StageTimings timings, CancellationToken cancellationToken)
{
    await using var services = BuildServices(options);
    var pipeline = services.GetRequiredService<IPipeline>();
    var jobs = services.GetRequiredService<IJobStore>();
    var unfinished = await jobs.ListUnfinishedAsync(cancellationToken);
    if (unfinished.Count == 0)
    {
        Console.WriteLine("No unfinished jobs.");
        return 0;
    }

    Console.WriteLine($"Resuming {unfinished.Count} unfinished job(s) once their previous owner's lease has lapsed...");
    using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    var worker = services.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token);
    var exit = 0;
    foreach (var job in unfinished)
    {
        var status = await pipeline.WaitForCompletionAsync(job.JobId, cancellationToken);
        exit = Math.Max(exit, await ReportAsync(pipeline, status, timings, cancellationToken));
    }

    await stop.CancelAsync();
    await worker;
    return exit;
}

static ServiceProvider BuildServices(CommandLine options)
{
    var database = options.Value("--db") ?? "pipeline.db";
    var postgres = options.Value("--postgres");
    var services = new ServiceCollection();
    var pipeline = services.AddTransactionPipeline(o =>
        {
            o.ProgressInterval = TimeSpan.FromMilliseconds(250);
            o.EventPollInterval = TimeSpan.FromMilliseconds(100);

            // One host owns this database, so a short lease lets "resume" take over quickly.
            o.JobLeaseTimeout = TimeSpan.FromSeconds(5);
            o.RecoveryInterval = TimeSpan.FromSeconds(1);
            o.StoreTransactions = !options.Has("--aggregate-only");
        });
    if (postgres is not null)
    {
        pipeline.UsePostgreSql(o =>
        {
            o.ConnectionString = postgres;
            o.Schema = options.Value("--schema") ?? o.Schema;
        });
    }
    else
    {
        pipeline.UseSqlite($"Data Source={database}");
    }

    if (options.Has("--hold-after-import"))
    {
        pipeline.AddResultStage<HoldStage>();
    }

    return services.BuildServiceProvider();
}

static async Task<int> ReportAsync(IPipeline pipeline, JobStatus status, StageTimings timings, CancellationToken cancellationToken)
{
    if (status.State != JobState.JobComplete)
    {
        Console.WriteLine($"Job {status.JobId} {StateName(status.State)} ({KindName(status.Error?.Kind)}): {status.Error?.Message}");
        return 1;
    }

    var result = await pipeline.GetResultAsync(status.JobId, cancellationToken);
    OffersTable.Write(Console.Out, status, result!);
    if (timings.Describe(status.JobId) is { Length: > 0 } line)
    {
        Console.WriteLine(line);
    }

    return 0;
}

// The names the HTTP API and the docs use.
static string StateName(JobState state) => state switch
{
    JobState.Open => "OPEN",
    JobState.InProgress => "IN_PROGRESS",
    JobState.JobComplete => "JOB_COMPLETE",
    _ => "FAILED",
};

static string KindName(JobErrorKind? kind) => kind is { } known
    ? string.Concat(known.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()))
    : "unknown";
