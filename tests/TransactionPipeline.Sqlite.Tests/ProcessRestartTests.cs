using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TransactionPipeline.Sqlite.Tests;

/// <summary>Kills a real process running the quick-start sample after its import, then starts another that finishes the job.</summary>
public sealed class ProcessRestartTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly SqliteTestDatabase _database = new();
    private readonly string _input = Path.Combine(Path.GetTempPath(), $"txp-restart-{Guid.NewGuid():N}.json");

    [Fact]
    public async Task Resume_AfterProcessKilledPastImport_CompletesTheJobFromStoredRows()
    {
        var items = Enumerable.Range(0, 3_000).Select(i => string.Create(
            CultureInfo.InvariantCulture,
            $$$"""{"amount": {{{(i % 50) + 1}}}.25, "date": "2024-03-{{{(i % 12) + 1:00}}}", "is_revenue": {{{(i % 3 != 0 ? "true" : "false")}}}, "description": "row {{{i}}}"}"""));
        await File.WriteAllTextAsync(_input, "{\"data\": [" + string.Join(",", items) + "], \"aggregate_config\": {\"date_range\": \"all\"}}");

        using (var first = Sample("process", _input, "--db", _database.Path, "--hold-after-import"))
        {
            var held = await ReadUntilAsync(first, "Holding job");
            held.Should().NotBeNull("the first process reaches the end of its import");
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }

        var abandoned = (await _database.CreateStore().ListUnfinishedAsync(default)).Should().ContainSingle().Subject;
        abandoned.Stage.Should().Be(PipelineStage.Offers, "the sample holds the job in a result stage, long after its import");
        abandoned.Progress.TransactionsImported.Should().Be(3_000);

        using var second = Sample("resume", "--db", _database.Path);
        var output = await ReadToEndAsync(second);
        second.ExitCode.Should().Be(0, output);

        var store = _database.CreateStore();
        var job = await store.FindAsync(abandoned.JobId, default);
        job!.State.Should().Be(JobState.JobComplete);
        var result = await ((IResultStore)store).FindAsync(abandoned.JobId, default);
        result!.Aggregates.Should().HaveCount(12);
        result.Aggregates.Sum(a => a.TransactionCount).Should().Be(3_000);
        result.Offers.Should().HaveCount(12);
        output.Should().Contain($"Offers of {abandoned.JobId}");
    }

    public void Dispose()
    {
        _database.Dispose();
        File.Delete(_input);
    }

    private static Process Sample(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "QuickStart.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static async Task<string?> ReadUntilAsync(Process process, string marker)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains(marker, StringComparison.Ordinal))
            {
                return line;
            }
        }

        return null;
    }

    private static async Task<string> ReadToEndAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return await output + await errors;
    }
}
