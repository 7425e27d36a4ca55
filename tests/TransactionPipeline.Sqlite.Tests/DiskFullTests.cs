using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using TransactionPipeline.Tests.Shared;

namespace TransactionPipeline.Sqlite.Tests;

/// <summary>SQLite on a small tmpfs that fills during an import: the job fails as storage_full, and the host works once there is room.</summary>
public sealed class DiskFullTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _mount = Directory.CreateTempSubdirectory("txp-full-").FullName;
    private bool _mounted;

    [TmpfsFact]
    public async Task SubmitAsync_DiskFillsDuringImport_FailsAsStorageFullAndTheHostWorksOnceThereIsRoom()
    {
        Mount.Run("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", _mount);
        _mounted = true;
        var services = new ServiceCollection();
        services.AddTransactionPipeline(o =>
            {
                o.ImportBatchSize = 1_000;
                o.ProgressInterval = TimeSpan.FromMilliseconds(10);
                o.RecoveryInterval = TimeSpan.FromMilliseconds(100);
            })
            .UseSqlite($"Data Source={Path.Combine(_mount, "jobs.db")}");
        await using var provider = services.BuildServiceProvider();
        var pipeline = provider.GetRequiredService<IPipeline>();
        using var stop = new CancellationTokenSource();
        var worker = provider.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token);

        var failed = await pipeline.SubmitAsync(PipelineInput.FromJson(Body(100_000)), CancellationToken.None).WaitAsync(Patience);

        failed.State.Should().Be(JobState.Failed);
        failed.Error!.Kind.Should().Be(JobErrorKind.StorageFull, failed.Error.Message);
        failed.Error.Message.Should().Contain("out of space").And.Contain($"after {failed.Progress.TransactionsImported} transactions");
        failed.Progress.TransactionsImported.Should().BeGreaterThan(0);

        // The operator makes room: the failure is recorded and the partial rows go.
        Mount.Run("mount", "-o", "remount,size=64m", "tmpfs", _mount);
        var stored = await WaitUntilAsync(async () => await pipeline.GetStatusAsync(failed.JobId, CancellationToken.None), s => s is { IsTerminal: true });
        stored!.Error!.Kind.Should().Be(JobErrorKind.StorageFull);
        (await WaitUntilAsync(CountRowsAsync, n => n == 0)).Should().Be(0, "nothing partial stays");

        var next = await pipeline.SubmitAsync(PipelineInput.FromJson(Body(200)), CancellationToken.None);
        (await pipeline.WaitForCompletionAsync(next.JobId, CancellationToken.None).WaitAsync(Patience)).State.Should().Be(JobState.JobComplete);
        await stop.CancelAsync();
        await worker.WaitAsync(Patience);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (_mounted)
        {
            Mount.Run("umount", _mount);
        }

        Directory.Delete(_mount, recursive: true);
    }

    private static Task<T> WaitUntilAsync<T>(Func<Task<T>> read, Func<T, bool> done) => Polling.WaitUntilAsync(read, done, Patience);

    private static MemoryStream Body(int count)
    {
        var items = Enumerable.Range(0, count).Select(i => string.Create(
            CultureInfo.InvariantCulture,
            $$$"""{"amount": {{{(i % 90) + 1}}}.10, "date": "2024-06-{{{(i % 28) + 1:00}}}", "is_revenue": true, "description": "a fairly long description so that rows take room {{{i}}}"}"""));
        return new MemoryStream(Encoding.UTF8.GetBytes("{\"data\": [" + string.Join(",", items) + "]}"));
    }

    private Task<long> CountRowsAsync() => Task.FromResult(SqliteRowFiles.CountRows(Path.Combine(_mount, "jobs.db")));
}

/// <summary>A fact that mounts a tmpfs: skipped, with the reason, where this process may not mount one (not root, or no capability).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Reason = new(Probe);

    public TmpfsFactAttribute() => Skip = Reason.Value;

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "Mounting a tmpfs needs Linux.";
        }

        var probe = Directory.CreateTempSubdirectory("txp-mount-probe-").FullName;
        try
        {
            Mount.Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe);
            Mount.Run("umount", probe);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return $"This process may not mount a tmpfs (it needs root or CAP_SYS_ADMIN), so the full-disk test cannot run here: {ex.Message}";
        }
        finally
        {
            Directory.Delete(probe, recursive: true);
        }
    }
}

internal static class Mount
{
    public static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error.Trim()}");
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{program} could not be started: {ex.Message}", ex);
        }
    }
}
