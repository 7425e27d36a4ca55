namespace TransactionPipeline.Sqlite.Tests;

/// <summary>The store keeps a bounded number of row files open however many jobs a process writes.</summary>
public sealed class RowWritersTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();

    [Fact]
    public async Task AppendAsync_ManyJobsNeverCompleted_OpenFilesStayBoundedAndRowsStayWithTheirJobs()
    {
        var store = _database.CreateStore();
        var jobs = RowWriters.MaxOpen * 2 + 10;
        for (var i = 0; i < jobs; i++)
        {
            await ((ITransactionStore)store).AppendAsync($"pipeline_20241201_{i:D5}", StoreTestData.Batch(StoreTestData.Row(i + 1)), default);
            store.OpenRowWriters.Should().BeLessThanOrEqualTo(RowWriters.MaxOpen);
        }

        OpenFilesUnder(SqliteRowFiles.Folder(_database.Path)).Should().BeLessThanOrEqualTo(RowWriters.MaxOpen * 3, "a row file, its WAL and its shared memory per open writer at most");

        // Files closed on the way are opened again: the first job's row is still its own, and appends go on after it.
        await ((ITransactionStore)store).AppendAsync("pipeline_20241201_00000", StoreTestData.Batch(StoreTestData.Row(1_000)), default);
        var first = await StoreTestData.ReadAllAsync(store, "pipeline_20241201_00000");
        first.Select(r => r.Amount).Should().Equal(1, 1_000);
        var last = await StoreTestData.ReadAllAsync(store, $"pipeline_20241201_{jobs - 1:D5}");
        last.Should().ContainSingle().Which.Amount.Should().Be(jobs);
    }

    [Fact]
    public async Task CompleteAsync_AfterTheLastBatch_ClosesTheJobsFileAndFoldsItsWal()
    {
        ITransactionStore store = _database.CreateStore();
        await store.AppendAsync("pipeline_20241201_001", StoreTestData.Batch(StoreTestData.Row(1), StoreTestData.Row(2)), default);

        await store.CompleteAsync("pipeline_20241201_001");

        ((SqliteStore)store).OpenRowWriters.Should().Be(0);
        var file = SqliteRowFiles.Files(_database.Path).Should().ContainSingle().Subject;
        var wal = new FileInfo(file + "-wal");
        (wal.Exists ? wal.Length : 0).Should().Be(0, "the checkpoint folded the WAL into the file");
        (await StoreTestData.ReadAllAsync(store, "pipeline_20241201_001")).Select(r => r.Amount).Should().Equal(1, 2);
    }

    /// <summary>Counts the file descriptors of this process open on files below <paramref name="folder"/> (Linux).</summary>
    private static int OpenFilesUnder(string folder) =>
        Directory.GetFiles("/proc/self/fd").Count(fd =>
        {
            try
            {
                return File.ResolveLinkTarget(fd, returnFinalTarget: false)?.FullName.StartsWith(folder, StringComparison.Ordinal) == true;
            }
            catch (IOException)
            {
                return false;
            }
        });

    public void Dispose() => _database.Dispose();
}
