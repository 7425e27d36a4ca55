using System.Text;
using Microsoft.Extensions.DependencyInjection;
using TransactionPipeline.Testing;

namespace TransactionPipeline.Tests.Worker;

public sealed class HostShutdownTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SubmitAsync_HostStopsDuringASlowUpload_FailsAsHostShutdownEveryTime(bool storeTransactions)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var store = new InMemoryStore();
            await using var services = WorkerFaultTests.CreateHost(store, o => o.StoreTransactions = storeTransactions);
            var pipeline = services.GetRequiredService<IPipeline>();
            using var stop = new CancellationTokenSource();
            var worker = services.GetRequiredService<IPipelineWorker>().ProcessJobsAsync(stop.Token);
            var items = string.Join(",", Enumerable.Range(0, 500).Select(i => TestData.Item("2.50", "2024-03-01", true, $"t{i}")));
            using var input = new StallingStream(Encoding.UTF8.GetBytes("""{"data": [""" + items + ","));

            var submit = pipeline.SubmitAsync(PipelineInput.FromJson(input), CancellationToken.None);
            await input.Stalled.WaitAsync(TimeSpan.FromSeconds(30));
            await stop.CancelAsync();
            var status = await submit.WaitAsync(TimeSpan.FromSeconds(30));

            status.State.Should().Be(JobState.Failed);
            status.Error!.Kind.Should().Be(JobErrorKind.HostShutdown, status.Error.Message);
            status.Error.Message.Should().Contain("host shut down");
            status.Progress.BytesRead.Should().BeGreaterThan(0);
            (await store.FindAsync(status.JobId, default))!.Error!.Kind.Should().Be(JobErrorKind.HostShutdown);
            await worker.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Gives its bytes, then waits for the reader's token forever, as a client that stops sending does.</summary>
    private sealed class StallingStream(byte[] prefix) : Stream
    {
        private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _position;

        public Task Stalled => _stalled.Task;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < prefix.Length)
            {
                var count = Math.Min(buffer.Length, prefix.Length - _position);
                prefix.AsMemory(_position, count).CopyTo(buffer);
                _position += count;
                return count;
            }

            _stalled.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
