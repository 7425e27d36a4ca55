using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.Sqlite.Tests;

/// <summary>The quick-start sample's command line, as a user types it.</summary>
public sealed class QuickStartCommandLineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Help_ListsEveryCommandAndOption_AndSucceeds()
    {
        var (exit, output) = await SampleProcess.RunAsync("QuickStart", ["--help"], Patience);

        exit.Should().Be(0, output);
        output.Should().ContainAll("demo", "generate", "process", "resume", "--size", "--days", "--db", "--postgres", "--schema", "--hold-after-import");
    }

    [Theory]
    [InlineData("generate")]
    [InlineData("process")]
    [InlineData("demo")]
    public async Task Command_WithHelp_PrintsTheHelpAndSucceeds(string command)
    {
        var (exit, output) = await SampleProcess.RunAsync("QuickStart", [command, "--help"], Patience);

        exit.Should().Be(0, output);
        output.Should().Contain("generate FILE [--size 100MB] [--days 365]").And.NotContain("Unknown option");
    }

    [Theory]
    [InlineData("process", "--bogus")]
    [InlineData("generate", "--db")]
    [InlineData("resume", "--size")]
    public async Task AnyCommand_OptionItDoesNotTake_IsRefusedByName(string command, string option)
    {
        var (exit, output) = await SampleProcess.RunAsync("QuickStart", [command, "file.json", option, "x"], Patience);

        exit.Should().Be(2, output);
        output.Should().Contain($"Unknown option {option} for {command}");
    }

    [Fact]
    public async Task Demo_SmallDataSet_SaysTheProductsStatusExplainsTheDateRangeAndAlignsTheTable()
    {
        var (exit, output) = await SampleProcess.RunAsync("QuickStart", ["demo", "--size", "2MB"], Patience);

        exit.Should().Be(0, output);
        output.Should().Contain("JOB_COMPLETE").And.NotContain("JobComplete");
        output.Should().Contain("30 aggregates").And.Contain("last_30_days");
        output.Should().MatchRegex(@"Stage timings \(from the job's spans\): import \d+\.\d\d s, aggregate \d+\.\d\d s, credit_model \d+\.\d\d s, offers \d+\.\d\d s, results \d+\.\d\d s\.");
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var header = lines.FindIndex(l => l.StartsWith("  date ", StringComparison.Ordinal));
        header.Should().BeGreaterThan(0, output);
        var table = lines.Skip(header).TakeWhile(l => l.Length > 0).ToList();
        table.Should().HaveCount(32, "a header, a rule and one row per offer");
        table.Select(l => l.Length).Distinct().Should().ContainSingle("every row is as wide as the header");
    }

    [Fact]
    public async Task Process_InputFromAPipe_ImportsEveryRowWithoutAPercentage()
    {
        var folder = Directory.CreateTempSubdirectory("txp-pipe-");
        try
        {
            await ProcessFromPipeAsync(folder.FullName);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task ProcessFromPipeAsync(string folder)
    {
        var file = Path.Combine(folder, "transactions.json");
        var (generated, generateOutput) = await SampleProcess.RunAsync("QuickStart", ["generate", file, "--size", "1MB"], Patience);
        generated.Should().Be(0, generateOutput);
        var rows = System.Text.RegularExpressions.Regex.Match(generateOutput, @"Wrote ([\d,]+) transactions").Groups[1].Value;

        // A named pipe has no length and cannot seek, as with `cat file | QuickStart process /dev/stdin`.
        var pipe = Path.Combine(folder, "input.fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe]))
        {
            await mkfifo.WaitForExitAsync();
            mkfifo.ExitCode.Should().Be(0);
        }

        using var process = SampleProcess.Start("QuickStart", ["process", pipe, "--db", Path.Combine(folder, "pipeline.db")]);
        await using (var writer = new FileStream(pipe, FileMode.Open, FileAccess.Write))
        {
            await using var source = File.OpenRead(file);
            await source.CopyToAsync(writer);
        }

        await process.Process.WaitForExitAsync().WaitAsync(Patience);
        process.Process.ExitCode.Should().Be(0, process.Output);
        process.Output.Should().Contain("(size unknown)").And.Contain($"{rows} rows").And.Contain("JOB_COMPLETE");
    }
}
