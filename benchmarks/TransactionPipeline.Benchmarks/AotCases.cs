using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace TransactionPipeline.Benchmarks;

/// <summary>
/// The "pipeline-aot-..." cases: the quick start published as Native AOT, run as its own process (<c>process FILE</c>)
/// the way a user runs a shipped binary, start-up included; its peak memory and CPU time come from GNU time.
/// </summary>
/// <remarks>
/// The e2e command publishes the quick start once before the cases run (<see cref="PublishAsync"/>, not part of any
/// figure); publishing needs clang, and without it these cases are skipped with the reason.
/// </remarks>
internal static partial class AotCases
{
    /// <summary>Gets where the published quick start is, under the repository's artifacts.</summary>
    public static string QuickStartPath => Path.Combine(RepositoryRoot, "artifacts", "aot", "QuickStart", "QuickStart");

    /// <summary>Gets the folder of Pipeline.sln above the benchmark (wherever it was built to), else above the current folder.</summary>
    private static string RepositoryRoot { get; } =
        Above(AppContext.BaseDirectory) ?? Above(Environment.CurrentDirectory)
        ?? throw new InvalidOperationException("The Native AOT cases run from the repository: no Pipeline.sln above the benchmark or the current folder.");

    private static string? Above(string folder)
    {
        for (var at = new DirectoryInfo(folder); at is not null; at = at.Parent)
        {
            if (File.Exists(Path.Combine(at.FullName, "Pipeline.sln")))
            {
                return at.FullName;
            }
        }

        return null;
    }

    /// <summary>Publishes the quick start as Native AOT for this machine.</summary>
    /// <returns><see langword="null"/> when it is ready, else why not.</returns>
    public static async Task<string?> PublishAsync()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                "publish", Path.Combine(RepositoryRoot, "samples", "QuickStart"), "-c", "Release", "-r", "linux-x64",
                "-p:PublishAot=true", "-o", Path.GetDirectoryName(QuickStartPath)!,
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode == 0 && File.Exists(QuickStartPath))
        {
            return null;
        }

        var lines = (await output + error).Split('\n').Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Take(3);
        return $"skipped: publishing the quick start as Native AOT failed (it needs clang): {string.Join(" ", lines).Trim()}";
    }

    /// <summary>Runs <c>QuickStart process FILE</c> with <paramref name="store"/>'s options.</summary>
    /// <returns>The transactions the job read.</returns>
    public static async Task<long> RunAsync(string file, string store, Action<long> reportPeak, Action<double> reportCpu)
    {
        if (!File.Exists(QuickStartPath))
        {
            throw new SkipException("skipped: the quick start is not published as Native AOT here (the e2e command does it, with clang)");
        }

        if (store == "postgres")
        {
            return await PostgresCases.WithSchemaAsync(citus: false, (connection, schema) => RunQuickStartAsync(file, ["--postgres", connection, "--schema", schema], reportPeak, reportCpu));
        }

        var database = Path.Combine(Path.GetTempPath(), $"aot-bench-{Environment.ProcessId}.db");
        Cases.DeleteDatabase(database);
        try
        {
            return await RunQuickStartAsync(file, store == "aggregate-only" ? ["--db", database, "--aggregate-only"] : ["--db", database], reportPeak, reportCpu);
        }
        finally
        {
            Cases.DeleteDatabase(database);
        }
    }

    private static async Task<long> RunQuickStartAsync(string file, string[] options, Action<long> reportPeak, Action<double> reportCpu)
    {
        var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-f", "PEAK_KB %M CPU %U %S", QuickStartPath, "process", file }.Concat(options))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("/usr/bin/time did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var printed = await output;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"the published quick start failed ({process.ExitCode}): {printed}{error}");
        }

        var measured = Measured().Match(error);
        reportPeak(long.Parse(measured.Groups["peak"].Value, CultureInfo.InvariantCulture) * 1024);
        reportCpu(double.Parse(measured.Groups["user"].Value, CultureInfo.InvariantCulture) + double.Parse(measured.Groups["system"].Value, CultureInfo.InvariantCulture));
        var rows = Transactions().Match(printed);
        return rows.Success
            ? long.Parse(rows.Groups["rows"].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"the published quick start printed no offers: {printed}");
    }

    [GeneratedRegex(@"PEAK_KB (?<peak>\d+) CPU (?<user>[\d.]+) (?<system>[\d.]+)")]
    private static partial Regex Measured();

    [GeneratedRegex(@"Offers of \S+: (?<rows>[\d,]+) transactions")]
    private static partial Regex Transactions();
}
