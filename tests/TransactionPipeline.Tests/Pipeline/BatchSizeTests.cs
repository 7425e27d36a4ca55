using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace TransactionPipeline.Tests.Pipeline;

/// <summary>How much one batch holds: its rows, and a bound on the bytes of their descriptions.</summary>
public sealed class BatchSizeTests
{
    [Fact]
    public async Task RunAsync_LongestDescriptions_BatchesCloseByDescriptionBytes_AndKeepEveryRowInOrder()
    {
        const int Rows = 12_000;
        var description = new string('d', TransactionLimits.MaxDescriptionLength);
        var batches = await RunAsync(Rows, i => $"{i.ToString("D6", CultureInfo.InvariantCulture)}{description[6..]}");

        batches.Sum(b => b.Count).Should().Be(Rows);
        batches.Should().OnlyContain(b => b.DescriptionChars < TransactionBatch.DescriptionCharsPerBatch + TransactionLimits.MaxDescriptionLength);
        batches.Max(b => b.Count).Should().BeLessThan(5_000, "rows of 255 characters fill a batch's description bytes before its 5,000 rows");
        batches.Select(b => b.FirstItemIndex).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        batches.Zip(batches.Skip(1)).Should().OnlyContain(pair => pair.First.FirstItemIndex + pair.First.Count == pair.Second.FirstItemIndex, "no row is lost between batches");
        batches.Select(b => long.Parse(b.FirstDescription.AsSpan(0, 6), CultureInfo.InvariantCulture)).Should().Equal(
            batches.Select(b => b.FirstItemIndex), "each batch starts with the row its index says, in the input's order");
    }

    [Fact]
    public async Task RunAsync_ShortDescriptions_BatchesHoldTheirRowCapacity()
    {
        var batches = await RunAsync(12_000, i => $"item {i}");

        batches.Select(b => b.Count).Should().Equal(5_000, 5_000, 2_000);
    }

    private static async Task<List<SeenBatch>> RunAsync(int rows, Func<int, string> description)
    {
        var items = Enumerable.Range(0, rows).Select(i => TestData.Item("1.00", "2024-01-01", true, description(i)));
        var recorder = new BatchRecorder();
        await using var fixture = new PipelineFixture(configure: b => b.Services.AddSingleton<ITransactionStage>(recorder));

        var status = await fixture.Pipeline.RunAsync(PipelineInput.FromJson(TestData.Stream(TestData.Body(items))), CancellationToken.None);

        status.State.Should().Be(JobState.JobComplete, status.Error?.Message);
        return [.. recorder.Batches.OrderBy(b => b.FirstItemIndex)];
    }

    private sealed record SeenBatch(long FirstItemIndex, int Count, long DescriptionChars, string FirstDescription);

    private sealed class BatchRecorder : ITransactionStage
    {
        public ConcurrentQueue<SeenBatch> Batches { get; } = new();

        public ValueTask ProcessAsync(TransactionStageContext context, CancellationToken cancellationToken)
        {
            var items = context.Batch.Items.Span;
            var chars = 0L;
            foreach (ref readonly var item in items)
            {
                chars += item.Description.Length;
            }

            Batches.Enqueue(new SeenBatch(context.Batch.FirstItemIndex, items.Length, chars, items[0].Description));
            return ValueTask.CompletedTask;
        }
    }
}
