using System.Diagnostics;
using System.Globalization;
using HttpClientExample;
using QuickStart;
using TransactionPipeline.Client;

// The C# counterpart of the seed's example client: send a file to the pipeline's HTTP API, follow the job by
// polling its status or by its event stream (optionally also by a webhook), then print the offers.
// Files of 64 MB or more go up resumably (tus 1.0): the job exists before the first byte, its progress shows while
// the file uploads, and a dropped connection resumes from the server's offset instead of starting again.
//   dotnet run --project samples/HttpClientExample -- [--url http://127.0.0.1:5080] [--file data.json | --generate 5MB]
//                                                     [--monitor poll|events] [--webhook] [--upload auto|post|resumable]
var options = ParseOptions(args);
if (options is null)
{
    Console.Error.WriteLine("usage: HttpClientExample [--url URL] [--file FILE | --generate SIZE] [--monitor poll|events] [--webhook] [--upload auto|post|resumable]");
    return 2;
}

// Files from this size up go resumably unless --upload says otherwise.
const long ResumableFrom = 64L * 1024 * 1024;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

// No overall timeout: an upload of many gigabytes takes as long as it takes. Each read below has its own.
using var http = new HttpClient { BaseAddress = new Uri(options.Url), Timeout = Timeout.InfiniteTimeSpan };
var client = new TransactionPipelineClient(http);
var retry = new TransientRetry();
var path = options.File;
try
{
    if (path is null)
    {
        path = Path.Combine(Path.GetTempPath(), $"transactions-{Guid.NewGuid():N}.json");
        var (bytes, items) = await DataGenerator.WriteAsync(path, DataGenerator.ParseSize(options.Generate), 365, cancellation.Token);
        Console.WriteLine($"Generated {items:N0} transactions ({DataGenerator.FormatBytes(bytes)}) in {path}");
    }

    var resumable = options.Upload == "resumable" || (options.Upload == "auto" && new FileInfo(path).Length >= ResumableFrom);
    var jobId = resumable
        ? await UploadResumablyAsync(client, path, cancellation.Token)
        : (await SubmitAsync(client, path, cancellation.Token)).JobId;
    await using var webhook = options.Webhook ? await WebhookReceiver.StartAsync(client, jobId, cancellation.Token) : null;

    var final = options.Monitor == "events"
        ? await FollowEventsAsync(client, retry, jobId, cancellation.Token)
        : await PollAsync(client, retry, jobId, cancellation.Token);
    if (webhook is not null)
    {
        await webhook.WaitAsync(TimeSpan.FromSeconds(30), cancellation.Token);
    }

    if (final.Status == "FAILED")
    {
        Console.Error.WriteLine($"Job {jobId} FAILED in {final.CurrentStage}: {final.Error?.Message}");
        return 1;
    }

    var offers = await retry.RunAsync("offers", ct => client.GetOffersAsync(jobId, ct), cancellation.Token);
    PrintOffers(offers);
    return 0;
}
catch (PipelineApiException ex) when (ex.ItemIndex is not null || ex.ByteOffset is not null)
{
    // Invalid input: the server says what is wrong and where, and the job is FAILED with nothing partial kept.
    Console.Error.WriteLine($"Rejected ({(int)ex.StatusCode}): {ex.Detail}");
    Console.Error.WriteLine($"  job {ex.JobId} {ex.JobStatus}, item {ex.ItemIndex?.ToString(CultureInfo.InvariantCulture) ?? "-"}, byte offset {ex.ByteOffset?.ToString(CultureInfo.InvariantCulture) ?? "-"}");
    return 1;
}
catch (PipelineApiException ex)
{
    Console.Error.WriteLine($"The pipeline answered {(int)ex.StatusCode}: {ex.Message}");
    return 1;
}
catch (HttpRequestException ex)
{
    Console.Error.WriteLine($"Cannot reach {options.Url}: {ex.Message}");
    return 1;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
finally
{
    if (options.File is null && path is not null)
    {
        File.Delete(path);
    }
}

static async Task<SubmittedJob> SubmitAsync(TransactionPipelineClient client, string path, CancellationToken cancellationToken)
{
    var size = new FileInfo(path).Length;
    var retry = new TransientRetry(maxAttempts: 4);
    for (var attempt = 1; ; attempt++)
    {
        Console.WriteLine($"Uploading {path} ({DataGenerator.FormatBytes(size)})...");
        var clock = Stopwatch.StartNew();
        try
        {
            // Streamed from disk by SubmitFileAsync; the answer comes once the server has read, validated and stored it all.
            var job = await client.SubmitFileAsync(path, cancellationToken: cancellationToken);
            Console.WriteLine($"Job {job.JobId} accepted after {clock.Elapsed.TotalSeconds:0.0} s ({size / 1048576.0 / clock.Elapsed.TotalSeconds:0.0} MB/s); estimated {job.EstimatedDuration} to go");
            return job;
        }
        catch (Exception ex) when (attempt < 4 && TransientRetry.NeverReachedServer(ex))
        {
            // Only a submit that never got a connection is sent again. Once any of the body has gone out the
            // server has created a job for it, and re-POSTing would create a second job for the same data; after
            // such a failure, look the job up (its id is in the 202 or the FAILED status) instead of resending.
            Console.Error.WriteLine($"  cannot connect ({ex.Message}); retry in {retry.Delay(attempt).TotalSeconds:0.0} s");
            await Task.Delay(retry.Delay(attempt), cancellationToken);
        }
    }
}

static async Task<string> UploadResumablyAsync(TransactionPipelineClient client, string path, CancellationToken cancellationToken)
{
    var size = new FileInfo(path).Length;
    var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81_920, FileOptions.Asynchronous | FileOptions.SequentialScan);
    await using (file)
    {
        var upload = await client.CreateUploadAsync(file, cancellationToken: cancellationToken);
        Console.WriteLine($"Job {upload.JobId} created; uploading {path} ({DataGenerator.FormatBytes(size)}) resumably to {upload.UploadUrl}");
        var clock = Stopwatch.StartNew();
        using var uploaded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watching = WatchUploadAsync(client, upload.JobId, uploaded.Token);
        var retries = 0;
        await upload.SendAsync(
            new Progress<UploadProgress>(p =>
            {
                if (p.Retries > Interlocked.Exchange(ref retries, p.Retries))
                {
                    Console.WriteLine($"  connection lost; resuming from byte {p.BytesSent:N0} (retry {p.Retries})");
                }
            }),
            cancellationToken);
        await uploaded.CancelAsync();
        await watching;
        Console.WriteLine($"Uploaded in {clock.Elapsed.TotalSeconds:0.0} s ({size / 1048576.0 / clock.Elapsed.TotalSeconds:0.0} MB/s)");
        return upload.JobId;
    }
}

// The job's own view while the file goes up: the bytes the server has taken, and the rows its import has stored.
static async Task WatchUploadAsync(TransactionPipelineClient client, string jobId, CancellationToken cancellationToken)
{
    try
    {
        while (true)
        {
            var status = await WithTimeoutAsync(cancellationToken, t => client.GetStatusAsync(jobId, t));
            var received = status.Upload is { } u ? $"{u.BytesReceived / 1048576.0,9:N1} of {u.UploadLength / 1048576.0:N1} MB received ({u.State})" : "upload done";
            Console.WriteLine($"  {status.Status,-12} {received}  {Progress(status.Progress)}");
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }
    catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException)
    {
        // The upload ended (or the network is down, which the upload itself retries): the job is followed below.
    }
}

static async Task<JobStatusReport> PollAsync(TransactionPipelineClient client, TransientRetry retry, string jobId, CancellationToken cancellationToken)
{
    while (true)
    {
        var status = await retry.RunAsync("status", ct => WithTimeoutAsync(ct, t => client.GetStatusAsync(jobId, t)), cancellationToken);
        Console.WriteLine($"  {status.Status,-12} {status.CurrentStage,-12} {Progress(status.Progress)}");
        if (status.IsTerminal)
        {
            return status;
        }

        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
    }
}

static async Task<JobStatusReport> FollowEventsAsync(TransactionPipelineClient client, TransientRetry retry, string jobId, CancellationToken cancellationToken)
{
    long lastSeen = 0;
    await retry.RunAsync("events", async ct =>
    {
        // On a retry the stream resumes after the last event seen (Last-Event-ID), so nothing is printed twice.
        await foreach (var e in client.WatchEventsAsync(jobId, lastSeen, ct))
        {
            lastSeen = e.Sequence;
            Console.WriteLine($"  #{e.Sequence,-4} {e.EventType,-24} {Progress(e.Progress)}");
            if (e.IsTerminal)
            {
                return e;
            }
        }

        throw new IOException($"The event stream ended after event {lastSeen} without JOB_COMPLETE or FAILED.");
    }, cancellationToken);

    // The terminal event says JOB_COMPLETE or FAILED; the status carries the full error of a failed job.
    return await retry.RunAsync("status", ct => WithTimeoutAsync(ct, t => client.GetStatusAsync(jobId, t)), cancellationToken);
}

static async Task<T> WithTimeoutAsync<T>(CancellationToken cancellationToken, Func<CancellationToken, Task<T>> request)
{
    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    timeout.CancelAfter(TimeSpan.FromSeconds(10));
    return await request(timeout.Token);
}

static string Progress(JobProgressReport p) => string.Create(
    CultureInfo.InvariantCulture,
    $"{p.TransactionsImported,12:N0} rows  {p.BytesRead / 1048576.0,9:N1} MB  {p.AggregatesCreated,4} aggregates  {p.OffersGenerated,4} offers");

static void PrintOffers(JobOffers result)
{
    Console.WriteLine();
    Console.WriteLine("  date        offer type        amount    rate  score  risk    transactions");
    Console.WriteLine("  ----------  ------------  ----------  ------  -----  ------  ------------");
    foreach (var o in result.Offers)
    {
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  {o.Date:yyyy-MM-dd}  {o.OfferType,-12}  {o.Amount,10:N0}  {o.InterestRate,6:P1}  {o.CreditScore,5}  {o.RiskLevel,-6}  {o.TransactionCount,12:N0}"));
    }

    var s = result.PipelineSummary;
    Console.WriteLine();
    Console.WriteLine($"pipeline_summary: {s.TransactionsProcessed:N0} transactions processed, {s.AggregatesCreated} aggregates created, {s.OffersGenerated} offers generated");
    Console.WriteLine($"credit_model_results.model_version: {result.CreditModelResults.ModelVersion}");
}

static ExampleOptions? ParseOptions(string[] args)
{
    var options = new ExampleOptions();
    for (var i = 0; i < args.Length; i++)
    {
        var value = i + 1 < args.Length ? args[i + 1] : null;
        switch (args[i])
        {
            case "--url" when value is not null: options = options with { Url = value.TrimEnd('/') + "/" }; i++; break;
            case "--file" when value is not null: options = options with { File = value }; i++; break;
            case "--generate" when value is not null: options = options with { Generate = value }; i++; break;
            case "--monitor" when value is "poll" or "events": options = options with { Monitor = value }; i++; break;
            case "--webhook": options = options with { Webhook = true }; break;
            case "--upload" when value is "auto" or "post" or "resumable": options = options with { Upload = value }; i++; break;
            default: return null;
        }
    }

    return options;
}

internal sealed record ExampleOptions
{
    public string Url { get; init; } = "http://127.0.0.1:5080/";
    public string? File { get; init; }
    public string Generate { get; init; } = "5MB";
    public string Monitor { get; init; } = "poll";
    public bool Webhook { get; init; }
    public string Upload { get; init; } = "auto";
}
