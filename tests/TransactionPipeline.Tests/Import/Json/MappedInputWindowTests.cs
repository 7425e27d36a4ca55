using System.IO.Pipes;
using System.Text;
using TransactionPipeline.Import.Json;

namespace TransactionPipeline.Tests.Import.Json;

/// <summary>The memory-mapped window on a file gives what reads of it would, from where the stream stood to its end.</summary>
public sealed class MappedInputWindowTests : IDisposable
{
    private readonly string _path = Path.GetTempFileName();

    public void Dispose() => File.Delete(_path);

    [Fact]
    public async Task FillAsync_StartsWhereTheStreamStandsAndAppendsReadSizeBytesEachTime()
    {
        await File.WriteAllTextAsync(_path, "0123456789abcdefghij");
        await using var file = new FileStream(_path, FileMode.Open, FileAccess.Read);
        file.Position = 5;
        var window = MappedInputWindow.TryOpen(file, readSize: 4, maxValueBytes: 64, CancellationToken.None)!;
        await using var _ = window;

        var seen = new List<string>();
        while (true)
        {
            (await window.FillAsync()).Should().BeTrue();
            if (window.EndOfInput)
            {
                break;
            }

            seen.Add(Text(window));
            window.Consume(Math.Min(3, window.Unparsed.Length));
        }

        // Each fill keeps what was not consumed and adds the next four bytes (fewer at the end).
        seen.Should().Equal("5678", "89abc", "bcdefg", "efghij");
        await window.DisposeAsync();
        file.Position.Should().Be(20, "a read to the end would leave the stream there");
    }

    [Fact]
    public async Task FillAsync_UnfinishedLongerThanTheLargestValue_AppendsNothing()
    {
        await File.WriteAllBytesAsync(_path, new byte[100]);
        await using var file = new FileStream(_path, FileMode.Open, FileAccess.Read);
        await using var window = MappedInputWindow.TryOpen(file, readSize: 8, maxValueBytes: 16, CancellationToken.None)!;

        (await window.FillAsync()).Should().BeTrue();
        (await window.FillAsync()).Should().BeTrue();
        (await window.FillAsync()).Should().BeTrue();
        window.Unparsed.Length.Should().Be(24);

        (await window.FillAsync()).Should().BeFalse("24 unconsumed bytes are more than the 16 a value may take");
        window.Unparsed.Length.Should().Be(24);
    }

    [Fact]
    public async Task FillAsync_FileGrownAfterItWasMapped_ReadsWhatWasAppended()
    {
        await File.WriteAllTextAsync(_path, "first");
        await using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        await using var window = MappedInputWindow.TryOpen(file, readSize: 1024, maxValueBytes: 1024, CancellationToken.None)!;
        (await window.FillAsync()).Should().BeTrue();
        Text(window).Should().Be("first");
        window.Consume(2);

        await using (var writer = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            await writer.WriteAsync(Encoding.ASCII.GetBytes(" then more"));
        }

        (await window.FillAsync()).Should().BeTrue();
        window.EndOfInput.Should().BeFalse();
        Text(window).Should().Be("rst then more");
        window.Consume(window.Unparsed.Length);
        (await window.FillAsync()).Should().BeTrue();
        window.EndOfInput.Should().BeTrue();
    }

    [Fact]
    public async Task FillAsync_Cancelled_StopsAsAReadWould()
    {
        await File.WriteAllTextAsync(_path, "0123456789");
        await using var file = new FileStream(_path, FileMode.Open, FileAccess.Read);
        using var cancellation = new CancellationTokenSource();
        await using var window = MappedInputWindow.TryOpen(file, readSize: 4, maxValueBytes: 64, cancellation.Token)!;
        (await window.FillAsync()).Should().BeTrue();

        await cancellation.CancelAsync();

        await window.Invoking(async w => await w.FillAsync()).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task TryOpen_NothingLeftToMapOrNotAFile_LeavesTheInputToBeRead()
    {
        await File.WriteAllTextAsync(_path, string.Empty);
        await using (var empty = new FileStream(_path, FileMode.Open, FileAccess.Read))
        {
            MappedInputWindow.TryOpen(empty, 4096, 4096, CancellationToken.None).Should().BeNull("an empty file (or one that reports no length) is read");
        }

        await File.WriteAllTextAsync(_path, "{}");
        await using (var atEnd = new FileStream(_path, FileMode.Open, FileAccess.Read))
        {
            atEnd.Position = 2;
            MappedInputWindow.TryOpen(atEnd, 4096, 4096, CancellationToken.None).Should().BeNull();
        }

        await using (var writeOnly = new FileStream(_path, FileMode.Open, FileAccess.Write))
        {
            MappedInputWindow.TryOpen(writeOnly, 4096, 4096, CancellationToken.None).Should().BeNull();
        }

        await using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        MappedInputWindow.TryOpen(pipe, 4096, 4096, CancellationToken.None).Should().BeNull();
        MappedInputWindow.TryOpen(new MemoryStream([1, 2, 3]), 4096, 4096, CancellationToken.None).Should().BeNull();
    }

    private static string Text(IInputWindow window) => Encoding.ASCII.GetString(window.Unparsed.Span);
}
