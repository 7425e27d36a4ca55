using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;

namespace TransactionPipeline.Import.Json;

/// <summary>
/// Streams a request body in the seed's shape into batches of transactions without ever holding more than
/// one buffer of it. The configs may come before or after <c>data</c>.
/// </summary>
/// <remarks>
/// The reader works in units: the opening brace, one top-level property, one item of <c>data</c>. A unit is
/// parsed only when all its bytes are in the buffer; when they are not, the reader rewinds to the last unit
/// boundary (saved <see cref="JsonReaderState"/> and offset) and reads more. Every token may therefore be split
/// across reads of any size, down to one byte. No reader runs with <c>isFinalBlock</c> until the root object has
/// closed, so a body that ends early is reported as truncated rather than as some other syntax error.
/// </remarks>
internal sealed partial class TransactionJsonReader
{
    private const int MaxAmountIntegerDigits = TransactionLimits.MaxAmountIntegerDigits;
    private const int MaxDescriptionLength = TransactionLimits.MaxDescriptionLength;

    private readonly Stream _input;
    private readonly int _initialBufferSize;
    private readonly int _maxUnitBytes;
    private readonly int _batchSize;
    private readonly bool _fastPath;
    private readonly bool _keepDescriptions;
    private readonly bool _mapFiles;
    private readonly ParallelAggregator _parallel;
    private readonly PipelineConfiguration _defaults;

    private Phase _phase = Phase.BeforeRoot;
    private long _itemIndex;
    private long _bufferOffset;
    private bool _sawData;
    private bool _afterItem;
    private ITransactionSink _sink = null!;
    private CreditModelConfig? _creditModel;
    private AggregateConfig? _aggregate;

    // keepDescriptions is false when nothing downstream reads descriptions (aggregate-only, no transaction stage): they
    // are still validated, but the fast path leaves them empty instead of allocating a string per item.
    // mapFiles reads a file input through its memory map (see MappedInputWindow); other inputs are read as before.
    // parallelPieceBytes is the smallest share of a buffer the aggregate-only mode hands to another core; tests make it small.
    public TransactionJsonReader(
        Stream input,
        int initialBufferSize,
        int maxUnitBytes,
        int batchSize,
        bool fastPath = true,
        bool keepDescriptions = true,
        int parallelPieceBytes = ParallelAggregator.DefaultPieceBytes,
        PipelineConfiguration? defaults = null,
        bool mapFiles = false)
    {
        _mapFiles = mapFiles;
        _defaults = defaults ?? PipelineConfiguration.Default;
        _parallel = new ParallelAggregator(parallelPieceBytes, maxUnitBytes);
        _input = input;
        _fastPath = fastPath;
        _keepDescriptions = keepDescriptions;
        _initialBufferSize = initialBufferSize;
        _maxUnitBytes = maxUnitBytes;
        _batchSize = batchSize;
    }

    private enum Phase
    {
        BeforeRoot,
        InRoot,
        InData,
        AfterRoot,
    }

    private enum Outcome
    {
        NeedMoreData,
        BatchFull,
        RootClosed,
        Continue,
    }

    /// <summary>Gets the bytes consumed so far.</summary>
    public long BytesRead => _bufferOffset;

    /// <summary>Gets how many items of <c>data</c> were read.</summary>
    public long ItemsRead => _itemIndex;

    /// <summary>Reads the whole input, writing full batches to <paramref name="output"/>.</summary>
    /// <returns>The configuration found in the body, with defaults for what it left out.</returns>
    public Task<PipelineConfiguration> ReadAsync(ChannelWriter<TransactionBatch> output, CancellationToken cancellationToken) =>
        ReadAsync(new BatchChannelSink(output, _batchSize), cancellationToken);

    /// <summary>
    /// Reads the whole input, adding every transaction to <paramref name="totals"/> instead of handing out batches:
    /// the aggregate-only import, where nothing downstream reads single transactions.
    /// </summary>
    /// <remarks>
    /// <paramref name="onProgress"/> is called between buffers, on the reading thread, to report <see cref="ItemsRead"/>
    /// and <see cref="BytesRead"/>.
    /// </remarks>
    /// <returns>The configuration found in the body, with defaults for what it left out.</returns>
    public Task<PipelineConfiguration> AggregateAsync(DailyTotals totals, Func<CancellationToken, ValueTask> onProgress, CancellationToken cancellationToken) =>
        ReadAsync(new DailyTotalsSink(totals, _parallel, onProgress), cancellationToken);

    /// <summary>Reads the whole input into <paramref name="sink"/>.</summary>
    /// <returns>The configuration found in the body, with defaults for what it left out.</returns>
    public async Task<PipelineConfiguration> ReadAsync(ITransactionSink sink, CancellationToken cancellationToken)
    {
        _sink = sink;
        var input = (_mapFiles ? MappedInputWindow.TryOpen(_input, _initialBufferSize, _maxUnitBytes, cancellationToken) : null)
            ?? (IInputWindow)new InputWindow(_input, _initialBufferSize, _maxUnitBytes, cancellationToken);
        await using var _ = input.ConfigureAwait(false);
        var state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        var batch = new TransactionBatch(_batchSize);
        batch.Reset(0);
        try
        {
            while (true)
            {
                var outcome = Parse(input.Unparsed, ref state, batch, out var consumed);
                input.Consume(consumed);
                _bufferOffset += consumed;

                if (outcome == Outcome.Continue)
                {
                    continue;
                }

                if (outcome == Outcome.BatchFull)
                {
                    batch.EndByteOffset = _bufferOffset;
                    batch = await _sink.TakeAsync(batch, _itemIndex, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (outcome == Outcome.RootClosed)
                {
                    await EnsureNothingFollowsAsync(input, cancellationToken).ConfigureAwait(false);
                    break;
                }

                if (input.EndOfInput)
                {
                    throw Truncated();
                }

                await FillAsync(input, cancellationToken).ConfigureAwait(false);
                await _sink.AfterReadAsync(cancellationToken).ConfigureAwait(false);
            }

            batch.EndByteOffset = _bufferOffset;
            if (batch.Count > 0)
            {
                batch = await _sink.TakeAsync(batch, _itemIndex, cancellationToken).ConfigureAwait(false);
            }

            batch.Release();
            batch = null;
            if (!_sawData)
            {
                throw InvalidInputException.At("The body has no \"data\" array", null, _bufferOffset, "$.data");
            }

            return new PipelineConfiguration(_creditModel ?? _defaults.CreditModel, _aggregate ?? _defaults.Aggregate);
        }
        catch
        {
            batch?.Release();
            throw;
        }
    }

    private async Task EnsureNothingFollowsAsync(IInputWindow input, CancellationToken cancellationToken)
    {
        // Only whitespace may follow the root object; read to the end to prove it.
        while (true)
        {
            var rest = input.Unparsed.Span;
            var other = rest.IndexOfAnyExcept(" \t\r\n"u8);
            if (other >= 0)
            {
                throw InvalidInputException.At("Unexpected content after the end of the JSON object", null, _bufferOffset + other, "$");
            }

            _bufferOffset += rest.Length;
            input.Consume(rest.Length);
            if (input.EndOfInput)
            {
                return;
            }

            await FillAsync(input, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads more of the input, reporting a failure as bad input at the point the parse has reached.</summary>
    private async ValueTask FillAsync(IInputWindow input, CancellationToken cancellationToken)
    {
        bool filled;
        try
        {
            filled = await input.FillAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (InputAbortedException or UploadExpiredException or OperationCanceledException))
        {
            // A source that went away says so with InputAbortedException (or UploadExpiredException, or a cancellation
            // when its host stops), which passes as it is. Anything else a body throws (a malformed chunk, a broken
            // decoding) is bad input.
            var inData = _phase == Phase.InData;
            throw new InvalidInputException(new JobError(
                JobErrorKind.InvalidInput,
                $"The body could not be read to its end ({ex.Message}) (byte offset {_bufferOffset}"
                    + (inData ? $", item {_itemIndex})." : ")."),
                inData ? _itemIndex : null,
                _bufferOffset,
                inData ? $"$.data[{_itemIndex}]" : "$"));
        }

        if (!filled)
        {
            throw ValueTooLarge();
        }
    }

    /// <summary>The error for a value longer than <c>MaxValueSize</c> that starts at <paramref name="offset"/>.</summary>
    private InvalidInputException ValueTooLarge(long offset, long? item) => InvalidInputException.At(
        $"A single value is larger than the {_maxUnitBytes / 1024} KiB the reader allows",
        item,
        offset,
        item is { } index ? $"$.data[{index}]" : "$");

    /// <summary>The error for the unfinished value at the parse position, already longer than <c>MaxValueSize</c>.</summary>
    private InvalidInputException ValueTooLarge() => ValueTooLarge(_bufferOffset, _phase == Phase.InData ? _itemIndex : null);

    private InvalidInputException Truncated() => _phase switch
    {
        Phase.InData => InvalidInputException.At(
            "The body ended before the JSON document was complete: the \"data\" array is not closed",
            _itemIndex,
            _bufferOffset,
            $"$.data[{_itemIndex}]"),
        Phase.BeforeRoot when _bufferOffset == 0 => InvalidInputException.At("The body is empty", null, 0, "$"),
        _ => InvalidInputException.At("The body ended before the JSON document was complete", null, _bufferOffset, "$"),
    };

    private Outcome Parse(ReadOnlyMemory<byte> memory, ref JsonReaderState state, TransactionBatch batch, out int consumed)
    {
        var data = memory.Span;
        var reader = new Utf8JsonReader(data, isFinalBlock: false, state);
        var committed = 0;
        var committedState = state;
        try
        {
            while (true)
            {
                bool complete;
                var (unitPhase, unitItem) = (_phase, _itemIndex);
                switch (_phase)
                {
                    case Phase.BeforeRoot:
                        complete = ReadRootStart(ref reader);
                        break;
                    case Phase.InRoot:
                        complete = ReadRootMember(ref reader, data);
                        break;
                    case Phase.InData:
                        if (_afterItem && _fastPath)
                        {
                            var fast = _sink.SumRun(memory[committed..], _bufferOffset, out var summed);
                            _itemIndex += summed;

                            fast += ReadFastItems(data[(committed + fast)..], batch);
                            if (fast > 0)
                            {
                                // Only whole items were consumed, so the reader state after the last slow item still holds.
                                consumed = committed + fast;
                                state = committedState;
                                return batch.IsFull ? Outcome.BatchFull : Outcome.Continue;
                            }
                        }

                        complete = ReadDataMember(ref reader, data, batch);
                        break;
                    default:
                        consumed = committed;
                        state = committedState;
                        return Outcome.RootClosed;
                }

                if (!complete)
                {
                    consumed = committed;
                    state = committedState;
                    return Outcome.NeedMoreData;
                }

                if (reader.BytesConsumed - committed > _maxUnitBytes)
                {
                    // The limit holds however the input was split into reads, including a value that arrived in one.
                    throw ValueTooLarge(_bufferOffset + committed, unitPhase == Phase.InData ? unitItem : null);
                }

                committed = (int)reader.BytesConsumed;
                committedState = reader.CurrentState;
                if (_phase == Phase.AfterRoot)
                {
                    consumed = committed;
                    state = committedState;
                    return Outcome.RootClosed;
                }

                if (batch.IsFull)
                {
                    consumed = committed;
                    state = committedState;
                    return Outcome.BatchFull;
                }
            }
        }
        catch (JsonException ex)
        {
            var offset = _bufferOffset + reader.BytesConsumed;
            var inData = _phase == Phase.InData;
            throw InvalidInputException.At(
                $"Malformed JSON: {FirstSentence(ex.Message)}",
                inData ? _itemIndex : null,
                offset,
                inData ? $"$.data[{_itemIndex}]" : "$");
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader reports a value of the wrong kind (e.g. a number where a string is read) this way.
            throw InvalidInputException.At(ex.Message, _phase == Phase.InData ? _itemIndex : null, _bufferOffset + reader.TokenStartIndex, null);
        }
    }

    /// <summary>Adds the complete items at the start of <paramref name="data"/> to <paramref name="batch"/> while they are in the common shape.</summary>
    /// <returns>The bytes consumed: whole items only, each with its leading comma.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int ReadFastItems(ReadOnlySpan<byte> data, TransactionBatch batch)
    {
        var position = 0;
        while (!batch.IsFull && FastItemScanner.TryReadFastItem(data[position..], _keepDescriptions, out var length, out var record) && length <= _maxUnitBytes)
        {
            batch.Add(record);
            _itemIndex++;
            position += length;
        }

        return position;
    }
}
