using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using TransactionPipeline.Aggregation;
using TransactionPipeline.Import.Json;

namespace TransactionPipeline.Benchmarks.Fuzz;

/// <summary>
/// <c>fuzz --count N [--seed S]</c>: N random and mutated bodies through the reader's general path, its fast path and
/// the aggregate-only path, each read in random pieces, judged against <see cref="ReferenceDecoder"/>. Exits 1 on any
/// disagreement or hang.
/// </summary>
internal static class FuzzCommand
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        var count = Option(args, "--count", 1_000_000);
        var seed = Option(args, "--seed", 20261202);
        var clock = Stopwatch.StartNew();
        long valid = 0, invalid = 0, disagreements = 0, hangs = 0, done = 0;
        var examples = new List<string>();
        var workers = Environment.ProcessorCount;
        await Parallel.ForEachAsync(Enumerable.Range(0, workers), async (worker, token) =>
        {
            var random = new Random(seed + worker);
            for (var i = worker; i < count; i += workers)
            {
                var body = BodyGenerator.Next(random);
                var (rows, reason) = ReferenceDecoder.Decode(body);
                Interlocked.Increment(ref rows is null ? ref invalid : ref valid);
                foreach (var mode in new[] { "general", "fast", "aggregate" })
                {
                    string? problem;
                    try
                    {
                        problem = await CheckAsync(mode, body, rows, reason, random.Next()).WaitAsync(HangLimit, token);
                    }
                    catch (TimeoutException)
                    {
                        Interlocked.Increment(ref hangs);
                        problem = "hang";
                    }

                    if (problem is not null)
                    {
                        Interlocked.Increment(ref disagreements);
                        lock (examples)
                        {
                            if (examples.Count < 20)
                            {
                                examples.Add($"body {i} ({mode}): {problem}\n  {Convert.ToHexString(body)}\n  {System.Text.Encoding.UTF8.GetString(body)}");
                            }
                        }
                    }
                }

                if (Interlocked.Increment(ref done) % 100_000 == 0)
                {
                    Console.WriteLine($"{done:N0} bodies, {disagreements} disagreements, {clock.Elapsed.TotalSeconds:0} s");
                }
            }
        });

        foreach (var example in examples)
        {
            Console.WriteLine(example);
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{count:N0} bodies ({valid:N0} valid, {invalid:N0} invalid by the reference), 3 reader paths each: {disagreements} disagreements, {hangs} hangs, {clock.Elapsed.TotalSeconds:0.0} s (seed {seed})."));
        return disagreements == 0 && hangs == 0 ? 0 : 1;
    }

    private static async Task<string?> CheckAsync(string mode, byte[] body, List<TransactionRecord>? expected, string? reason, int pieces)
    {
        var input = new PiecewiseStream(body, new Random(pieces));
        try
        {
            if (mode == "aggregate")
            {
                var totals = new DailyTotals();
                await new TransactionJsonReader(input, 4096, 1024 * 1024, 64, keepDescriptions: false, parallelPieceBytes: 512)
                    .AggregateAsync(totals, _ => ValueTask.CompletedTask, CancellationToken.None);
                if (expected is null)
                {
                    return $"accepted, reference refuses ({reason})";
                }

                var reference = new DailyTotals();
                reference.Add(expected.ToArray());
                var all = DateRange.All;
                return totals.ToAggregates(all).SequenceEqual(reference.ToAggregates(all)) ? null : "totals differ";
            }

            var channel = Channel.CreateUnbounded<TransactionBatch>();
            await new TransactionJsonReader(input, 4096, 1024 * 1024, 5, fastPath: mode == "fast").ReadAsync(channel.Writer, CancellationToken.None);
            channel.Writer.Complete();
            var rows = new List<TransactionRecord>();
            await foreach (var batch in channel.Reader.ReadAllAsync())
            {
                rows.AddRange(batch.Items.ToArray());
            }

            if (expected is null)
            {
                return $"accepted, reference refuses ({reason})";
            }

            return rows.SequenceEqual(expected) ? null : $"rows differ: {rows.Count} read, {expected.Count} expected";
        }
        catch (InvalidInputException ex)
        {
            return expected is null ? null : $"refused ({ex.Error.Message}), reference accepts";
        }
        catch (Exception ex)
        {
            return $"threw {ex.GetType().Name}: {ex.Message}";
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>Gives a body back in random pieces, so values fall across the reader's buffer edges.</summary>
    private sealed class PiecewiseStream(byte[] body, Random random) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => body.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var take = Math.Min(Math.Min(buffer.Length, body.Length - _position), random.Next(1, 200));
            body.AsSpan(_position, take).CopyTo(buffer);
            _position += take;
            return take;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
