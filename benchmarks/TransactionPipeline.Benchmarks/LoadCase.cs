using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace TransactionPipeline.Benchmarks;

/// <summary>
/// <c>load [--jobs 1000] [--subscribers 5] [--host PATH]</c>: the WebApi sample (Release, its own process, a fresh SQLite
/// file) takes that many small jobs at once over loopback while each job has that many Server-Sent Events subscribers.
/// Reports errors, subscribers that missed their terminal event, wall time, and the host's peak memory and threads.
/// </summary>
internal static class LoadCase
{
    public static async Task<int> RunAsync(string[] args)
    {
        var jobs = Option(args, "--jobs", 1_000);
        var perJob = Option(args, "--subscribers", 5);
        var host = OptionText(args, "--host");
        var folder = Directory.CreateTempSubdirectory("txp-load-").FullName;
        var port = FreePort();
        using var server = StartHost(host, folder, port);
        try
        {
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
                Timeout = TimeSpan.FromMinutes(10),
            };
            await WaitForHostAsync(client);
            var idle = Sample(server.Id);
            long errors = 0, missed = 0, threadsPeak = 0;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    threadsPeak = Math.Max(threadsPeak, Sample(server.Id).Threads);
                    await Task.Delay(50, CancellationToken.None);
                }
            });

            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, jobs).Select(async j =>
            {
                try
                {
                    using var submitted = await client.PostAsync(
                        "/api/financial-transactions/process-transactions/", new StringContent(Body(j), Encoding.UTF8, "application/json"));
                    if (submitted.StatusCode != HttpStatusCode.Accepted)
                    {
                        Interlocked.Increment(ref errors);
                        return;
                    }

                    var jobId = (await JsonDocument.ParseAsync(await submitted.Content.ReadAsStreamAsync())).RootElement.GetProperty("job_id").GetString();
                    var seen = await Task.WhenAll(Enumerable.Range(0, perJob).Select(_ => TerminalEventAsync(client, jobId!)));
                    Interlocked.Add(ref missed, seen.Count(terminal => terminal is null));
                    Interlocked.Add(ref errors, seen.Count(terminal => terminal is not null and not "JOB_COMPLETE"));
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                    Console.Error.WriteLine($"job {j}: {ex.Message}");
                }
            }));
            var wall = clock.Elapsed;
            await sampling.CancelAsync();
            await sampler;
            var after = Sample(server.Id);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                {jobs:N0} jobs at once, {perJob} SSE subscribers each ({jobs * perJob:N0} streams), WebApi host (Release, server GC, SQLite), loopback:
                  errors: {errors}, subscribers without their terminal event: {missed}
                  wall time: {wall.TotalSeconds:0.00} s ({jobs / wall.TotalSeconds:0} jobs/s)
                  host peak memory (VmHWM): {after.PeakKb / 1024.0:0} MB (idle after start: {idle.RssKb / 1024.0:0} MB); peak threads: {threadsPeak} (idle: {idle.Threads})
                """));
            return errors == 0 && missed == 0 ? 0 : 1;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Starts the WebApi sample (Release unless <paramref name="host"/> names another build) on a fresh SQLite file in <paramref name="folder"/>.</summary>
    internal static Process StartHost(string? host, string folder, int port)
    {
        host = Path.GetFullPath(host ?? Path.Combine(AppContext.BaseDirectory, "..", "..", "WebApi", "release", "WebApi.dll"));

        // A .dll runs on the dotnet host; anything else is taken for an executable, such as the sample published as Native AOT.
        var start = new ProcessStartInfo(host.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? "dotnet" : host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Production" },
        };
        if (start.FileName == "dotnet")
        {
            start.ArgumentList.Add(host);
        }

        foreach (var argument in new[] { "--urls", $"http://127.0.0.1:{port}", $"--ConnectionStrings:Pipeline=Data Source={Path.Combine(folder, "jobs.db")}", "--Logging:LogLevel:Default=Warning" })
        {
            start.ArgumentList.Add(argument);
        }

        var server = Process.Start(start)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("host: " + e.Data);
            }
        };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        return server;
    }

    /// <summary>Reads a job's event stream to its end and returns the type of its last event, or null when none came.</summary>
    private static async Task<string?> TerminalEventAsync(HttpClient client, string jobId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/jobs/{jobId}/events/");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? last = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                last = line["event:".Length..].Trim();
                if (last is "JOB_COMPLETE" or "FAILED")
                {
                    return last;
                }
            }
        }

        return null;
    }

    private static string Body(int job)
    {
        var items = Enumerable.Range(0, 20).Select(i => string.Create(
            CultureInfo.InvariantCulture,
            $$$"""{"amount": {{{(job + i) % 500 + 1}}}.25, "date": "2024-03-{{{i % 5 + 1:00}}}", "is_revenue": {{{(i % 3 == 0 ? "false" : "true")}}}, "description": "job {{{job}}} item {{{i}}}"}"""));
        return "{\"data\": [" + string.Join(",", items) + "]}";
    }

    internal static (long RssKb, long PeakKb, long Threads) Sample(int pid)
    {
        long rss = 0, peak = 0, threads = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                var value = new string(line.Where(char.IsDigit).ToArray());
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = long.Parse(value, CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = long.Parse(value, CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    threads = long.Parse(value, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // The host exited.
        }

        return (rss, peak, threads);
    }

    internal static async Task WaitForHostAsync(HttpClient client)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            try
            {
                using var _ = await client.GetAsync("/api/jobs/pipeline_20000101_001/status/");
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException("The WebApi host did not start listening.");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int Option(string[] args, string name, int fallback) =>
        OptionText(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    internal static string? OptionText(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
