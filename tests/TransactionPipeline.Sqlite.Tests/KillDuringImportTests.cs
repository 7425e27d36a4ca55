using Microsoft.Data.Sqlite;
using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.Sqlite.Tests;

/// <summary>kill -9 of a real process in the middle of its import: the next process fails the job as interrupted and leaves no row of it.</summary>
public sealed class KillDuringImportTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly SqliteTestDatabase _database = new();
    private readonly string _input = Path.Combine(Path.GetTempPath(), $"txp-kill-{Guid.NewGuid():N}.json");

    [Fact]
    public async Task Resume_AfterProcessKilledMidImport_FailsTheJobAsInterruptedWithItsCountsAndNoRowsLeft()
    {
        var (generated, output) = await SampleProcess.RunAsync("QuickStart", ["generate", _input, "--size", "150MB", "--days", "60"], Patience);
        generated.Should().Be(0, output);

        long importedAtKill;
        using (var first = SampleProcess.Start("QuickStart", ["process", _input, "--db", _database.Path]))
        {
            importedAtKill = await WaitForImportProgressAsync(first);
            first.KillHard();
        }

        var abandoned = (await _database.CreateStore().ListUnfinishedAsync(default)).Should().ContainSingle().Subject;
        abandoned.Stage.Should().Be(PipelineStage.Import);
        // Rows files are written without a journal and count only once their import completes, so one cut off mid-write
        // may not even open: its bytes, not a count of its rows, show what the killed process left (a batch is ~0.4 MB).
        SqliteRowFiles.Bytes(_database.Path).Should().BeGreaterThan(64 * 1024, "the killed process had stored rows");

        var (exit, resumed) = await SampleProcess.RunAsync("QuickStart", ["resume", "--db", _database.Path], Patience);

        exit.Should().Be(1, resumed);
        var job = await _database.CreateStore().FindAsync(abandoned.JobId, default);
        job!.State.Should().Be(JobState.Failed);
        job.Error!.Kind.Should().Be(JobErrorKind.Interrupted);
        job.Progress.TransactionsImported.Should().BeGreaterThanOrEqualTo(importedAtKill, "the counts never go backwards");
        job.Error.Message.Should().Contain($"after {job.Progress.TransactionsImported} transactions");
        (await CountRowsAsync()).Should().Be(0, "nothing partial stays in the store");
        (await _database.CreateStore().ListUnfinishedAsync(default)).Should().BeEmpty();
        resumed.Should().Contain("FAILED (interrupted)");
    }

    public void Dispose()
    {
        _database.Dispose();
        File.Delete(_input);
    }

    private async Task<long> WaitForImportProgressAsync(SampleProcess process)
    {
        using var expiry = new CancellationTokenSource(Patience);
        while (true)
        {
            try
            {
                await using var connection = new SqliteConnection($"Data Source={_database.Path};Mode=ReadOnly;Pooling=False");
                await connection.OpenAsync();
                await using var command = new SqliteCommand("SELECT transactions_imported FROM jobs WHERE state = 'IN_PROGRESS' AND stage = 'Import';", connection);
                if (await command.ExecuteScalarAsync() is long imported && imported > 0)
                {
                    return imported;
                }
            }
            catch (SqliteException)
            {
                // The file or its tables do not exist yet.
            }

            if (process.Process.HasExited || expiry.IsCancellationRequested)
            {
                throw new TimeoutException($"The import was never seen in progress. Output:\n{process.Output}");
            }

            await Task.Delay(5);
        }
    }

    private Task<long> CountRowsAsync() => Task.FromResult(SqliteRowFiles.CountRows(_database.Path));
}
