using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using TransactionPipeline.Engine;

namespace TransactionPipeline.Parsing;

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
    private const int MaxAmountIntegerDigits = 13;
    private const int MaxDescriptionLength = 255;
    private static readonly decimal AmountLimit = 10_000_000_000_000m;

    private readonly Stream _input;
    private readonly int _initialBufferSize;
    private readonly int _maxUnitBytes;
    private readonly int _batchSize;
    private readonly bool _fastPath;
    private readonly bool _keepDescriptions;
    private readonly int _parallelPieceBytes;

    private Phase _phase = Phase.BeforeRoot;
    private long _itemIndex;
    private long _bufferOffset;
    private bool _sawData;
    private bool _afterItem;
    private DailyTotals? _totals;
    private CreditModelConfig? _creditModel;
    private AggregateConfig? _aggregate;

    // keepDescriptions is false when nothing downstream reads descriptions (aggregate-only, no transaction stage): they
    // are still validated, but the fast path leaves them empty instead of allocating a string per item.
    // parallelPieceBytes is the smallest share of a buffer the aggregate-only mode hands to another core; tests make it small.
    public TransactionJsonReader(
        Stream input,
        int initialBufferSize,
        int maxUnitBytes,
        int batchSize,
        bool fastPath = true,
        bool keepDescriptions = true,
        int parallelPieceBytes = DefaultParallelPieceBytes)
    {
        _parallelPieceBytes = parallelPieceBytes;
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
        ReadCoreAsync(
            async (batch, token) =>
            {
                await output.WriteAsync(batch, token).ConfigureAwait(false);
                var next = new TransactionBatch(_batchSize);
                next.Reset(_itemIndex);
                return next;
            },
            null,
            cancellationToken);

    /// <summary>
    /// Reads the whole input, adding every transaction to <paramref name="totals"/> instead of handing out batches:
    /// the aggregate-only import, where nothing downstream reads single transactions.
    /// </summary>
    /// <remarks>
    /// Runs of common-shaped items are scanned on all cores (see <see cref="AggregateFastItemsInParallel"/>); the result is
    /// the same as reading them one by one. <paramref name="onProgress"/> is called between buffers, on the reading thread,
    /// to report <see cref="ItemsRead"/> and <see cref="BytesRead"/>.
    /// </remarks>
    /// <returns>The configuration found in the body, with defaults for what it left out.</returns>
    public Task<PipelineConfiguration> AggregateAsync(DailyTotals totals, Func<CancellationToken, ValueTask> onProgress, CancellationToken cancellationToken)
    {
        _totals = totals;
        return ReadCoreAsync(
            async (batch, token) =>
            {
                totals.Add(batch.Items.Span);
                batch.Reset(_itemIndex);
                await onProgress(token).ConfigureAwait(false);
                return batch;
            },
            onProgress,
            cancellationToken);
    }

    /// <param name="flush">Takes a full batch and returns the empty batch to fill next.</param>
    /// <param name="onRead">Called after each read from the input, when not null.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    private async Task<PipelineConfiguration> ReadCoreAsync(
        Func<TransactionBatch, CancellationToken, ValueTask<TransactionBatch>> flush,
        Func<CancellationToken, ValueTask>? onRead,
        CancellationToken cancellationToken)
    {
        var input = new InputWindow(this, _initialBufferSize, _maxUnitBytes, cancellationToken);
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
                    batch = await flush(batch, cancellationToken).ConfigureAwait(false);
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

                await input.FillAsync(cancellationToken).ConfigureAwait(false);
                if (onRead is not null)
                {
                    await onRead(cancellationToken).ConfigureAwait(false);
                }
            }

            batch.EndByteOffset = _bufferOffset;
            if (batch.Count > 0)
            {
                batch = await flush(batch, cancellationToken).ConfigureAwait(false);
            }

            batch.Release();
            batch = null;
            if (!_sawData)
            {
                throw InvalidInputException.At("The body has no \"data\" array", null, _bufferOffset, "$.data");
            }

            return new PipelineConfiguration(_creditModel ?? CreditModelConfig.Default, _aggregate ?? AggregateConfig.Default);
        }
        catch
        {
            batch?.Release();
            throw;
        }
    }

    private async Task EnsureNothingFollowsAsync(InputWindow input, CancellationToken cancellationToken)
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

            await input.FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for a read from the input, reporting a failure as bad input at the point the parse has reached.</summary>
    private async ValueTask<int> CompleteReadAsync(Task<int> read, CancellationToken cancellationToken)
    {
        try
        {
#pragma warning disable VSTHRD003 // read is this reader's own read-ahead, started by its InputWindow; no context is captured.
            return await read.ConfigureAwait(false);
#pragma warning restore VSTHRD003
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A request body throws when its client disconnects or sends a malformed chunk: that is bad input.
            var inData = _phase == Phase.InData;
            throw new InvalidInputException(new JobError(
                JobErrorKind.InvalidInput,
                $"The body could not be read to its end ({ex.Message}) (byte offset {_bufferOffset}"
                    + (inData ? $", item {_itemIndex})." : ")."),
                inData ? _itemIndex : null,
                _bufferOffset,
                inData ? $"$.data[{_itemIndex}]" : "$"));
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
                            var fast = _totals is null ? 0 : AggregateFastItemsInParallel(memory[committed..]);
                            fast += ReadFastItems(data[(committed + fast)..], batch);
                            if (fast > 0)
                            {
                                // Only whole items were consumed, so the reader state after the last slow item still holds.
                                consumed = committed + fast;
                                state = committedState;
                                return batch.IsFull ? Outcome.BatchFull : Outcome.Continue;
                            }
                        }

                        complete = ReadDataMember(ref reader, batch);
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

    private bool ReadRootStart(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw InvalidInputException.At(
                $"The body must be a JSON object with a \"data\" array, but it starts with a {Describe(reader.TokenType)}",
                null,
                _bufferOffset + reader.TokenStartIndex,
                "$");
        }

        _phase = Phase.InRoot;
        return true;
    }

    private bool ReadRootMember(ref Utf8JsonReader reader, ReadOnlySpan<byte> data)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.EndObject)
        {
            _phase = Phase.AfterRoot;
            return true;
        }

        // Only a property name can follow here; the reader itself rejects anything else.
        var nameOffset = _bufferOffset + reader.TokenStartIndex;
        if (reader.ValueTextEquals("data"u8))
        {
            if (!reader.Read())
            {
                return false;
            }

            if (_sawData)
            {
                throw InvalidInputException.At("The body has more than one \"data\" property", null, nameOffset, "$.data");
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw InvalidInputException.At(
                    $"\"data\" must be an array of transactions, but it is a {Describe(reader.TokenType)}",
                    null,
                    _bufferOffset + reader.TokenStartIndex,
                    "$.data");
            }

            _sawData = true;
            _phase = Phase.InData;
            return true;
        }

        var isCredit = reader.ValueTextEquals("credit_model_config"u8);
        var isAggregate = !isCredit && reader.ValueTextEquals("aggregate_config"u8);
        if (!reader.Read())
        {
            return false;
        }

        var valueOffset = _bufferOffset + reader.TokenStartIndex;
        var valueStart = (int)reader.TokenStartIndex;
        if (!reader.TrySkip())
        {
            return false;
        }

        if (isCredit || isAggregate)
        {
            var name = isCredit ? "credit_model_config" : "aggregate_config";
            if (isCredit ? _creditModel is not null : _aggregate is not null)
            {
                throw InvalidInputException.At($"The body has more than one \"{name}\" property", null, nameOffset, "$." + name);
            }

            // After TrySkip a container's reader sits on its closing token, so the raw value ends at BytesConsumed.
            var raw = data[valueStart..(int)reader.BytesConsumed];
            if (isCredit)
            {
                _creditModel = ConfigurationParser.ParseCreditModel(raw, valueOffset);
            }
            else
            {
                _aggregate = ConfigurationParser.ParseAggregate(raw, valueOffset);
            }
        }

        return true;
    }

    private bool ReadDataMember(ref Utf8JsonReader reader, TransactionBatch batch)
    {
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.EndArray)
        {
            _phase = Phase.InRoot;
            _afterItem = false;
            return true;
        }

        var itemOffset = _bufferOffset + reader.TokenStartIndex;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw InvalidInputException.At(
                $"Each item of \"data\" must be an object, but this one is a {Describe(reader.TokenType)}",
                _itemIndex,
                itemOffset,
                $"$.data[{_itemIndex}]");
        }

        decimal amount = 0;
        DateOnly date = default;
        var isRevenue = false;
        string? description = null;
        var seen = Field.None;
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            var field = reader.ValueTextEquals("amount"u8) ? Field.Amount
                : reader.ValueTextEquals("date"u8) ? Field.Date
                : reader.ValueTextEquals("is_revenue"u8) ? Field.IsRevenue
                : reader.ValueTextEquals("description"u8) ? Field.Description
                : Field.None;
            var nameOffset = _bufferOffset + reader.TokenStartIndex;
            if (!reader.Read())
            {
                return false;
            }

            if (field == Field.None)
            {
                // Unknown properties are ignored, whatever their shape.
                if (!reader.TrySkip())
                {
                    return false;
                }

                continue;
            }

            if ((seen & field) != 0)
            {
                throw ItemError($"The property \"{Name(field)}\" appears twice", nameOffset, field);
            }

            seen |= field;
            switch (field)
            {
                case Field.Amount:
                    amount = ReadAmount(ref reader);
                    break;
                case Field.Date:
                    date = ReadDate(ref reader);
                    break;
                case Field.IsRevenue:
                    isRevenue = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False => false,
                        _ => throw WrongType(ref reader, field, "a boolean (true or false)"),
                    };
                    break;
                default:
                    description = ReadDescription(ref reader);
                    break;
            }
        }

        if (seen != Field.All)
        {
            var missing = Field.All & ~seen;
            var first = (Field)((int)missing & -(int)missing);
            throw ItemError($"The transaction has no \"{Name(first)}\" property", itemOffset, first);
        }

        batch.Add(new TransactionRecord(amount, date, isRevenue, description!));
        _itemIndex++;
        _afterItem = true;
        return true;
    }

    private decimal ReadAmount(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw WrongType(ref reader, Field.Amount, "a JSON number");
        }

        if (!reader.TryGetDecimal(out var amount))
        {
            throw ItemError($"\"amount\" {Raw(ref reader)} is out of range: at most {MaxAmountIntegerDigits} digits before the decimal point", _bufferOffset + reader.TokenStartIndex, Field.Amount);
        }

        if (decimal.Abs(amount) >= AmountLimit)
        {
            throw ItemError($"\"amount\" {Raw(ref reader)} has more than {MaxAmountIntegerDigits} digits before the decimal point (15 digits in all, 2 after the point)", _bufferOffset + reader.TokenStartIndex, Field.Amount);
        }

        if (amount.Scale > 2 && decimal.Round(amount, 2) != amount)
        {
            throw ItemError($"\"amount\" {Raw(ref reader)} has more than 2 decimal places", _bufferOffset + reader.TokenStartIndex, Field.Amount);
        }

        return amount.Scale > 2 ? decimal.Round(amount, 2) : amount;
    }

    private DateOnly ReadDate(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw WrongType(ref reader, Field.Date, "a string in the form YYYY-MM-DD");
        }

        if (reader.ValueIsEscaped)
        {
            Span<byte> copy = stackalloc byte[32];
            if (reader.ValueSpan.Length <= copy.Length && TryParseDate(copy[..reader.CopyString(copy)], out var unescaped))
            {
                return unescaped;
            }
        }
        else if (TryParseDate(reader.ValueSpan, out var date))
        {
            return date;
        }

        throw ItemError($"\"date\" {Raw(ref reader)} is not a valid date in the form YYYY-MM-DD", _bufferOffset + reader.TokenStartIndex, Field.Date);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool TryParseDate(ReadOnlySpan<byte> text, out DateOnly date)
    {
        date = default;
        if (text.Length != 10 || text[4] != '-' || text[7] != '-')
        {
            return false;
        }

        uint y0 = (uint)(text[0] - '0'), y1 = (uint)(text[1] - '0'), y2 = (uint)(text[2] - '0'), y3 = (uint)(text[3] - '0');
        uint m0 = (uint)(text[5] - '0'), m1 = (uint)(text[6] - '0'), d0 = (uint)(text[8] - '0'), d1 = (uint)(text[9] - '0');
        if (y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 || m0 > 9 || m1 > 9 || d0 > 9 || d1 > 9)
        {
            return false;
        }

        var year = (int)((y0 * 1000) + (y1 * 100) + (y2 * 10) + y3);
        var month = (int)((m0 * 10) + m1);
        var day = (int)((d0 * 10) + d1);
        if (year < 1 || month is < 1 or > 12 || day < 1)
        {
            return false;
        }

        var leap = (year & 3) == 0 && ((year % 100) != 0 || (year % 400) == 0);
        var daysToMonth = leap ? DaysToMonthLeap : DaysToMonth;
        var dayOfYear = daysToMonth[month - 1] + day - 1;
        if (dayOfYear >= daysToMonth[month])
        {
            return false;
        }

        var yearsBefore = year - 1;
        date = DateOnly.FromDayNumber((yearsBefore * 365) + (yearsBefore / 4) - (yearsBefore / 100) + (yearsBefore / 400) + dayOfYear);
        return true;
    }

    private static ReadOnlySpan<int> DaysToMonth => [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

    private static ReadOnlySpan<int> DaysToMonthLeap => [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366];

    private string ReadDescription(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw WrongType(ref reader, Field.Description, "a string");
        }

        var text = reader.GetString()!;
        if (text.Length > MaxDescriptionLength && CountCharacters(text) > MaxDescriptionLength)
        {
            throw ItemError($"\"description\" has {CountCharacters(text)} characters; at most {MaxDescriptionLength} are allowed", _bufferOffset + reader.TokenStartIndex, Field.Description);
        }

        return text;
    }

    private static int CountCharacters(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private InvalidInputException WrongType(ref Utf8JsonReader reader, Field field, string expected) =>
        ItemError($"\"{Name(field)}\" must be {expected}, but it is {Article(reader.TokenType)} {Raw(ref reader)}", _bufferOffset + reader.TokenStartIndex, field);

    private InvalidInputException ItemError(string message, long offset, Field field) =>
        InvalidInputException.At(message, _itemIndex, offset, $"$.data[{_itemIndex}].{Name(field)}");

    private static string Raw(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            return reader.TokenType == JsonTokenType.StartObject ? "{...}" : "[...]";
        }

        var span = reader.ValueSpan;
        var text = Encoding.UTF8.GetString(span.Length > 40 ? span[..40] : span);
        var shown = span.Length > 40 ? text + "..." : text;
        return reader.TokenType == JsonTokenType.String ? $"\"{shown}\"" : shown;
    }

    private static string Article(JsonTokenType type) => type switch
    {
        JsonTokenType.String => "the string",
        JsonTokenType.Number => "the number",
        JsonTokenType.True or JsonTokenType.False => "the boolean",
        JsonTokenType.Null => "the value",
        JsonTokenType.StartObject => "an object",
        _ => "an array",
    };

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString().ToLower(CultureInfo.InvariantCulture),
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        message = (cut > 0 ? message[..cut] : message).TrimEnd();

        // Utf8JsonReader quotes the rest of its buffer after a bad literal ("'tru, ...' is an invalid JSON literal"):
        // keep the start, so the message does not depend on how much was read, nor carry megabytes of the body.
        const int Quoted = 40;
        var close = message.StartsWith('\'') ? message.IndexOf("' is ", StringComparison.Ordinal) : -1;
        return close > Quoted + 1 ? $"{message[..(Quoted + 1)]}...{message[close..]}" : message;
    }

    private static string Name(Field field) => field switch
    {
        Field.Amount => "amount",
        Field.Date => "date",
        Field.IsRevenue => "is_revenue",
        _ => "description",
    };

    [Flags]
    private enum Field
    {
        None = 0,
        Amount = 1,
        Date = 2,
        IsRevenue = 4,
        Description = 8,
        All = Amount | Date | IsRevenue | Description,
    }
}
