using System.Diagnostics;
using System.Globalization;
using TransactionPipeline.AspNetCore.Tests.Uploads;
using QuickStart;
using TransactionPipeline.Client;

namespace TransactionPipeline.Benchmarks;

/// <summary>
/// <c>upload --file FILE [--cut-every 64MB] [--repeat 3] [--host PATH] [--modes a,b]</c>: one file from the typed client to the WebApi
/// sample (Release, its own process and SQLite file per run) three ways in each round: one streamed <c>POST</c>, a tus
/// resumable upload, and a resumable upload through a loopback proxy that resets the connection every so many bytes.
/// Reports the time from the first byte to <c>JOB_COMPLETE</c> and the host's peak memory, medians over the rounds.
/// </summary>
internal static class UploadCase
{
    private static readonly string[] Modes = ["post", "resumable", "resumable-with-cuts"];

    public static async Task<int> RunAsync(string[] args)
    {
        var file = LoadCase.OptionText(args, "--file") ?? throw new ArgumentException("upload needs --file FILE (QuickStart generate FILE --size 1GB makes one).");
        var cutEvery = DataGenerator.ParseSize(LoadCase.OptionText(args, "--cut-every") ?? "64MB");
        var repeat = int.Parse(LoadCase.OptionText(args, "--repeat") ?? "3", CultureInfo.InvariantCulture);
        var host = LoadCase.OptionText(args, "--host");
        var modes = LoadCase.OptionText(args, "--modes")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? Modes;
        if (modes.Except(Modes).FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown upload mode '{unknown}'; the modes are {string.Join(", ", Modes)}.");
        }

        var size = new FileInfo(file).Length;
        var results = modes.ToDictionary(m => m, _ => new List<(double Seconds, long PeakKb, int Cuts)>());
        for (var round = 1; round <= repeat; round++)
        {
            foreach (var mode in modes)
            {
                var result = await RunOnceAsync(mode, file, cutEvery, host);
                results[mode].Add(result);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"round {round} {mode,-20} {result.Seconds,7:0.00} s  {size / 1048576.0 / result.Seconds,6:0} MB/s  host peak {result.PeakKb / 1024.0,4:0} MB  cuts {result.Cuts}"));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"{DataGenerator.FormatBytes(size)} file, medians of {repeat}; cuts every {DataGenerator.FormatBytes(cutEvery)} in the last mode:");
        Console.WriteLine("| mode | to JOB_COMPLETE | throughput | vs post | host peak RSS | connections cut |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        var post = results.TryGetValue("post", out var posts) ? Median(posts.Select(r => r.Seconds)) : double.NaN;
        foreach (var mode in modes)
        {
            var seconds = Median(results[mode].Select(r => r.Seconds));
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {mode} | {seconds:0.00} s | {size / 1048576.0 / seconds:0} MB/s | {seconds / post:0.00}x | {Median(results[mode].Select(r => (double)r.PeakKb)) / 1024:0} MB | {Median(results[mode].Select(r => (double)r.Cuts)):0} |"));
        }

        return 0;
    }

    private static async Task<(double Seconds, long PeakKb, int Cuts)> RunOnceAsync(string mode, string file, long cutEvery, string? host)
    {
        var folder = Directory.CreateTempSubdirectory("txp-upload-").FullName;
        var port = LoadCase.FreePort();
        using var server = LoadCase.StartHost(host, folder, port);
        try
        {
            var address = new Uri($"http://127.0.0.1:{port}");
            using var http = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
            await LoadCase.WaitForHostAsync(http);
            await using var proxy = mode == "resumable-with-cuts" ? new CuttingProxy(address, cutEvery) : null;
            using var sending = new HttpClient { BaseAddress = proxy?.Address ?? address, Timeout = Timeout.InfiniteTimeSpan };
            var client = new TransactionPipelineClient(sending);
            var clock = Stopwatch.StartNew();
            string jobId;
            if (mode == "post")
            {
                jobId = (await client.SubmitFileAsync(file)).JobId;
            }
            else
            {
                var options = new PipelineUploadOptions { FirstRetryDelay = TimeSpan.FromMilliseconds(50) };
                jobId = (await client.UploadFileAsync(file, options: options)).JobId;
            }

            var status = new TransactionPipelineClient(http);
            while ((await status.GetStatusAsync(jobId)) is { IsTerminal: false })
            {
                await Task.Delay(50);
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var final = await status.GetStatusAsync(jobId);
            if (final.Status != "JOB_COMPLETE")
            {
                throw new InvalidOperationException($"{mode}: job {jobId} ended {final.Status}: {final.Error?.Message}");
            }

            return (seconds, LoadCase.Sample(server.Id).PeakKb, proxy?.Cuts ?? 0);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
