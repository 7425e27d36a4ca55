using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using QuickStart;

namespace TransactionPipeline.Benchmarks;

/// <summary>
/// <c>e2e [--size 1GB | --file PATH] [--repeat N] [--cases a,b | --pipeline-only] [--json OUT] [--postgres CONNECTION] [--citus CONNECTION]</c>:
/// runs every case on the same seed-shaped file, each in a child process of its own so that peak memory is per case,
/// and prints one table of medians.
/// </summary>
/// <remarks>
/// The CSV and NDJSON copies the reference tools read are derived only when a selected case reads them;
/// <c>--pipeline-only</c> selects this pipeline's cases alone, so a file as large as the disk allows (the 29 GB one)
/// runs with one command and no copies.
/// </remarks>
internal static class EndToEnd
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(string[] args)
    {
        var size = DataGenerator.ParseSize(Option(args, "--size") ?? "100MB");
        var repeat = int.Parse(Option(args, "--repeat") ?? "1", CultureInfo.InvariantCulture);
        var selected = Option(args, "--cases")?.Split(',')
            ?? (args.Contains("--pipeline-only")
                ? Cases.All.Where(c => c.Name.StartsWith("pipeline-", StringComparison.Ordinal) && !c.Name.Contains("-x4", StringComparison.Ordinal) && !c.Name.EndsWith("-1stream", StringComparison.Ordinal) && !c.Name.EndsWith("-1writer", StringComparison.Ordinal)).Select(c => c.Name).ToArray()
                : Cases.All.Select(c => c.Name).ToArray());
        var json = Option(args, "--json");
        var file = Option(args, "--file");
        if (Option(args, "--postgres") is { } postgres)
        {
            // Children inherit it: the PostgreSQL cases run only when a server is named.
            Environment.SetEnvironmentVariable(PostgresCases.ConnectionVariable, postgres);
        }

        if (Option(args, "--citus") is { } citus)
        {
            // The Citus cases run only when a coordinator is named.
            Environment.SetEnvironmentVariable(PostgresCases.CitusVariable, citus);
        }

        var folder = Directory.CreateTempSubdirectory("pipeline-e2e-");
        try
        {
            if (file is null)
            {
                file = Path.Combine(folder.FullName, "seed.json");
                var (_, items) = await DataGenerator.WriteAsync(file, size, 365, CancellationToken.None);
                Console.WriteLine($"Generated {items:N0} transactions ({DataGenerator.FormatBytes(new FileInfo(file).Length)}) in {file}.");
            }

            if (selected.Any(name => name is "sqlite-bare-insert" or "sqlite3-cli-csv" or "psql-copy-csv" or "duckdb-ndjson"))
            {
                var derive = Stopwatch.StartNew();
                await SeedRows.DeriveAsync(file);
                Console.WriteLine($"Derived the CSV and NDJSON copies in {derive.Elapsed.TotalSeconds:0.0} s (not part of any figure).");
            }

            string? aotSkip = null;
            if (selected.Any(name => name.StartsWith("pipeline-aot-", StringComparison.Ordinal)))
            {
                var publish = Stopwatch.StartNew();
                aotSkip = await AotCases.PublishAsync();
                Console.WriteLine(aotSkip ?? $"Published the quick start as Native AOT in {publish.Elapsed.TotalSeconds:0} s (not part of any figure).");
            }

            var bytes = new FileInfo(file).Length;
            var results = new List<CaseResult>();
            foreach (var (name, _, _) in Cases.All.Where(c => selected.Contains(c.Name)))
            {
                if (name.StartsWith("pipeline-aot-", StringComparison.Ordinal) && aotSkip is not null)
                {
                    results.Add(new CaseResult(name, -1, 0, -1, [], aotSkip));
                    continue;
                }

                if (name == "sqlite3-cli-csv" && !OnPath("sqlite3"))
                {
                    results.Add(new CaseResult(name, -1, 0, -1, [], "skipped: sqlite3 is not on PATH"));
                    continue;
                }

                if ((name.StartsWith("pipeline-postgres", StringComparison.Ordinal) || name == "psql-copy-csv") && PostgresCases.ConnectionString is null)
                {
                    results.Add(new CaseResult(name, -1, 0, -1, [], "skipped: no PostgreSQL server (--postgres CONNECTION)"));
                    continue;
                }

                if (name.StartsWith("pipeline-citus", StringComparison.Ordinal) && PostgresCases.CitusConnectionString is null)
                {
                    results.Add(new CaseResult(name, -1, 0, -1, [], "skipped: no Citus coordinator (--citus CONNECTION)"));
                    continue;
                }

                if (name == "psql-copy-csv" && !OnPath("psql"))
                {
                    results.Add(new CaseResult(name, -1, 0, -1, [], "skipped: psql is not on PATH"));
                    continue;
                }

                var runs = new List<CaseResult>();
                for (var i = 0; i < repeat; i++)
                {
                    var run = RunChild(name, file);
                    Console.WriteLine($"  {name,-24} run {i + 1}/{repeat}: {(run.Seconds < 0 ? run.Note : $"{run.Seconds:0.00} s, peak {run.PeakBytes >> 20} MB")}");
                    runs.Add(run);
                    if (run.Seconds < 0)
                    {
                        break;
                    }
                }

                results.Add(Median(runs));
            }

            var table = Format(results, bytes, repeat);
            Console.WriteLine();
            Console.WriteLine(table);
            if (json is not null)
            {
                var report = new
                {
                    Machine = new { Environment.ProcessorCount, Os = Environment.OSVersion.ToString(), Runtime = Environment.Version.ToString() },
                    FileBytes = bytes,
                    Repeat = repeat,
                    Results = results,
                };
                await File.WriteAllTextAsync(json, JsonSerializer.Serialize(report, Indented));
                Console.WriteLine($"Wrote {json}.");
            }

            return 0;
        }
        finally
        {
            File.Delete(SeedRows.CsvPath(file!));
            File.Delete(SeedRows.NdjsonPath(file!));
            folder.Delete(recursive: true);
        }
    }

    private static CaseResult RunChild(string name, string file)
    {
        // Re-invoke this program: through the dotnet host when run as "dotnet X.dll", directly when run as an app host.
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(EndToEnd).Assembly.Location);
        }

        foreach (var argument in new[] { "run-case", name, file })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The case process did not start.");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith(Cases.ResultPrefix, StringComparison.Ordinal));
        return line is null || process.ExitCode != 0
            ? new CaseResult(name, -1, 0, -1, [], $"failed (exit code {process.ExitCode})")
            : JsonSerializer.Deserialize<CaseResult>(line[Cases.ResultPrefix.Length..])!;
    }

    private static CaseResult Median(List<CaseResult> runs)
    {
        var sorted = runs.OrderBy(r => r.Seconds).ToList();
        var middle = sorted[sorted.Count / 2];
        return middle with { PeakBytes = runs.Max(r => r.PeakBytes) };
    }

    private static string Format(List<CaseResult> results, long bytes, int repeat)
    {
        var measured = results.Where(r => r.Seconds > 0).ToList();
        var references = measured.Where(r => Cases.All.First(c => c.Name == r.Name).IsReference).ToList();
        var fastest = references.Count > 0 ? references.Min(r => r.Seconds) : double.NaN;
        var fastestName = references.FirstOrDefault(r => r.Seconds == fastest)?.Name ?? "none";
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Input: {DataGenerator.FormatBytes(bytes)}, {Environment.ProcessorCount} cores, median of {repeat} run(s); peak = max VmHWM over the runs.");
        text.AppendLine(CultureInfo.InvariantCulture, $"x fastest ref = wall time / wall time of the fastest reference ({fastestName}); below 1 is faster.");
        text.AppendLine();
        text.AppendLine("| case | wall s | cpu s | MB/s | rows/s | peak MB | x fastest ref | stages (s) |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var result in results)
        {
            if (result.Seconds < 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {result.Name} | - | - | - | - | - | - | {result.Note} |");
                continue;
            }

            var stages = string.Join(", ", result.Stages.Select(s => $"{s.Key} {s.Value:0.00}"));
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {result.Name} | {result.Seconds:0.00} | {(result.CpuSeconds < 0 ? "?" : result.CpuSeconds.ToString("0.00", CultureInfo.InvariantCulture))} | {bytes / (double)(1 << 20) / result.Seconds:0} | {result.Rows / result.Seconds:N0} | {(result.PeakBytes < 0 ? "?" : (result.PeakBytes >> 20).ToString(CultureInfo.InvariantCulture))} | {result.Seconds / fastest:0.00} | {stages} |");
        }

        text.AppendLine();
        foreach (var (name, isReference, description) in Cases.All)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {name}{(isReference ? " (reference)" : string.Empty)}: {description}");
        }

        return text.ToString();
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(dir => File.Exists(Path.Combine(dir, program)));

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
