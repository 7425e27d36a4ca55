using System.Runtime.CompilerServices;

namespace TransactionPipeline.Import.Json;

/// <summary>
/// The aggregate-only fast path: one buffer of common-shaped items cut into pieces, scanned on all cores at once.
/// </summary>
/// <remarks>
/// <para>
/// Only the first piece starts where an item is known to start. Every other piece guesses: it starts after the first
/// <c>}</c> past its share of the buffer from which <see cref="FastItemScanner.TryReadFastItem"/> reads a whole item. A guess can be
/// wrong (a <c>}</c> inside a description, or inside an array of an unknown property), so no piece's result is trusted
/// until the piece before it, read from a trusted start, ends exactly where it began: items are contiguous, so that
/// proves the guess was a real item boundary. Pieces are accepted in order until one stops early (an item the scanner
/// does not take, or the end of the buffer) or misses the next piece's start; the rest are dropped and the ordinary
/// reader carries on from the last accepted byte. The outcome is the same as reading every item in order.
/// </para>
/// <para>
/// Each piece sums into totals of its own, merged into the job's only once accepted, so a dropped piece leaves no trace.
/// </para>
/// </remarks>
/// <param name="pieceBytes">The smallest share of a buffer worth handing to another core.</param>
/// <param name="maxItemBytes">The longest item a piece takes; a longer one stops it, for the ordinary reader to report.</param>
internal sealed class ParallelAggregator(int pieceBytes, int maxItemBytes)
{
    /// <summary>The smallest piece worth handing to another core, unless the reader is told otherwise.</summary>
    internal const int DefaultPieceBytes = 256 * 1024;

    /// <summary>How far past its share a piece looks for an item start before giving its share to the piece before.</summary>
    private const int MaxItemStartSearch = 16 * 1024;

    private const int PiecesPerCore = 4;

    /// <summary>The most cores one read uses, which bounds the pieces' memory (each sums per day in its own totals).</summary>
    private const int MaxCores = 16;

    private Piece[] _pieces = [];

    // The input offset up to which a parallel scan has looked: the next waits for that much new input, so items the
    // scanner does not take cost one wasted scan per buffer, not one per item.
    private long _scannedTo;

    /// <summary>Sums the whole items at the start of <paramref name="data"/> into <paramref name="totals"/> while they are in the common shape.</summary>
    /// <param name="data">The unparsed bytes, starting where an item (with its leading comma) starts.</param>
    /// <param name="offset">The input offset of the reader's buffer that <paramref name="data"/> is the unparsed rest of: a scan waits for
    /// that much more input than the last one saw.</param>
    /// <param name="totals">The job's totals.</param>
    /// <param name="items">How many items were summed.</param>
    /// <returns>The bytes consumed: whole items only, each with its leading comma; 0 when the buffer is too small to share.</returns>
    public int Aggregate(ReadOnlyMemory<byte> data, long offset, DailyTotals totals, out long items)
    {
        items = 0;
        // More pieces than cores, so a core that starts late or is interrupted takes fewer of them.
        var count = Math.Min(Math.Clamp(Environment.ProcessorCount, 2, MaxCores) * PiecesPerCore, data.Length / pieceBytes);
        var end = offset + data.Length;
        if (count < 2 || end - _scannedTo < (long)count * pieceBytes
            || !FastItemScanner.TryReadFastItem(data.Span, keepDescription: false, out _, out _))
        {
            return 0;
        }

        _scannedTo = end;

        if (_pieces.Length < count)
        {
            _pieces = new Piece[count];
            for (var i = 0; i < count; i++)
            {
                _pieces[i] = new Piece();
            }
        }

        var pieces = _pieces.AsSpan(0, count);
        var span = data.Span;
        var used = 0;
        for (var i = 0; i < count; i++)
        {
            var start = i == 0 ? 0 : FindItemStart(span, (int)((long)data.Length * i / count));
            if (start > (used == 0 ? -1 : pieces[used - 1].Start))
            {
                pieces[used++].Start = start;
            }
        }

        for (var i = 0; i < used; i++)
        {
            pieces[i].Limit = i + 1 < used ? pieces[i + 1].Start : data.Length;
        }

        var all = _pieces;
        var limit = maxItemBytes;
        Parallel.For(0, used, i => all[i].Scan(data.Span, limit));

        var position = 0;
        foreach (var piece in pieces[..used])
        {
            // Trusted: the first piece starts at a known item start, each next one where the trusted one before it ended.
            totals.Merge(piece.Totals);
            items += piece.Items;
            position = piece.End;
            if (piece.End != piece.Limit)
            {
                // Stopped early, or ran past the next piece's guessed start: what follows is not trusted.
                break;
            }
        }

        return position;
    }

    /// <summary>Finds the first offset at or after <paramref name="from"/> where a whole common-shaped item can be read; -1 when none is near.</summary>
    private static int FindItemStart(ReadOnlySpan<byte> data, int from)
    {
        var last = Math.Min(data.Length, from + MaxItemStartSearch);
        for (var i = from; i < last; i++)
        {
            var close = data[i..last].IndexOf((byte)'}');
            if (close < 0)
            {
                return -1;
            }

            i += close;
            if (FastItemScanner.TryReadFastItem(data[(i + 1)..], keepDescription: false, out _, out _))
            {
                return i + 1;
            }
        }

        return -1;
    }

    /// <summary>One share of a buffer and what its scan found.</summary>
    private sealed class Piece
    {
        public DailyTotals Totals { get; } = new();

        public int Start { get; set; }

        /// <summary>Gets or sets where the next piece starts: the scan stops at the first item that reaches it.</summary>
        public int Limit { get; set; }

        public int End { get; private set; }

        public long Items { get; private set; }

        // Not inlined: on the JIT the loop's lambda is recompiled at tier 1 after a while, and with the scan inlined
        // into it ran ~15% slower than this method compiled on its own (5 GB: 2.45 s against 2.07 s).
        [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
        public void Scan(ReadOnlySpan<byte> data, int maxItemBytes)
        {
            Totals.Clear();
            var position = Start;
            long items = 0;
            while (position < Limit)
            {
                // Items in the seed's order are summed without a decimal or a record each; the other common shapes
                // (properties in another order) through the record.
                var rest = data[position..];
                int length;
                if (FastItemScanner.TryReadSummand(rest, out length, out var summand) && length <= maxItemBytes)
                {
                    Totals.Add(summand);
                }
                else if (FastItemScanner.TryReadInAnyOrder(rest, keepDescription: false, out length, out var record) && length <= maxItemBytes)
                {
                    Totals.Add(record);
                }
                else
                {
                    break;
                }

                position += length;
                items++;
            }

            End = position;
            Items = items;
        }
    }
}
