using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TransactionPipeline.Import.Json;

namespace TransactionPipeline.Aggregation;

/// <summary>Running per-date sums of one job, exact in <see cref="decimal"/>; one entry per distinct date.</summary>
/// <remarks>
/// <para>Filled while transactions are stored, read only after the import finished without error.</para>
/// <para>
/// Amounts from the item scanner (<see cref="Add(in Summand)"/>) are summed as whole hundredths in a
/// <see cref="long"/>, with the largest scale seen, and only turned into a <see cref="decimal"/> when read (or when the
/// long would overflow, after thousands of the largest amounts on one date): the same
/// value and scale as adding each <see cref="decimal"/> in turn (an exact decimal sum keeps the larger scale of its
/// terms), at the cost of an integer addition instead of a decimal one per transaction.
/// </para>
/// <para>
/// Dates within <see cref="MaxWindowDays"/> of each other (every real file) are summed in an array indexed by day,
/// which costs an index instead of a hash lookup per transaction; dates outside that window go to a dictionary.
/// </para>
/// </remarks>
internal sealed class DailyTotals
{
    /// <summary>The widest span of days kept in the array: about 11 years, 160 KB at most.</summary>
    private const int MaxWindowDays = 1 << 12;

    private readonly Dictionary<DateOnly, Totals> _outside = [];
    private Totals[] _window = [];
    private int _firstDay;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<TransactionRecord> transactions)
    {
        foreach (ref readonly var transaction in transactions)
        {
            Add(transaction);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(in TransactionRecord transaction)
    {
        ref var totals = ref Find(transaction.Date);
        totals.Total += transaction.Amount;
        totals.Count++;
        if (transaction.IsRevenue)
        {
            totals.Revenue += transaction.Amount;
        }
    }

    /// <summary>Adds one transaction the item scanner read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(in Summand summand)
    {
        ref var totals = ref Find(summand.Date);
        var hundredths = summand.Amount.Hundredths;
        var scale = summand.Amount.Scale;
        totals.Count++;
        totals.TotalScale = Math.Max(totals.TotalScale, scale);
        AddHundredths(ref totals.TotalHundredths, ref totals.Total, hundredths, totals.TotalScale);
        if (summand.IsRevenue)
        {
            totals.RevenueScale = Math.Max(totals.RevenueScale, scale);
            AddHundredths(ref totals.RevenueHundredths, ref totals.Revenue, hundredths, totals.RevenueScale);
        }
    }

    /// <summary>Adds to a sum of hundredths; one that would overflow goes into the decimal sum first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddHundredths(ref long sum, ref decimal settled, long hundredths, byte scale)
    {
        var next = sum + hundredths;
        if (((sum ^ next) & (hundredths ^ next)) < 0)
        {
            // Only after thousands of the largest amounts on one date: the decimal takes what the long cannot.
            Settle(ref sum, ref settled, scale);
            next = hundredths;
        }

        sum = next;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Settle(ref long sum, ref decimal settled, byte scale)
    {
        settled += ToDecimal(sum, scale);
        sum = 0;
    }

    /// <summary>Adds the sums of <paramref name="other"/> to these, date by date.</summary>
    public void Merge(DailyTotals other)
    {
        var window = other._window;
        for (var i = 0; i < window.Length; i++)
        {
            if (window[i].Count > 0)
            {
                Add(DateOnly.FromDayNumber(other._firstDay + i), window[i]);
            }
        }

        foreach (var (date, sums) in other._outside)
        {
            Add(date, sums);
        }
    }

    /// <summary>Adds a date's sums made elsewhere (by a store) to these.</summary>
    public void Add(DailyAggregate sums) =>
        Add(sums.Date, new Totals { Total = sums.TotalAmount, Revenue = sums.RevenueAmount, Count = sums.TransactionCount });

    private void Add(DateOnly date, in Totals sums)
    {
        ref var totals = ref Find(date);
        totals.Total += sums.Total;
        totals.Revenue += sums.Revenue;
        totals.Count += sums.Count;
        totals.TotalScale = Math.Max(totals.TotalScale, sums.TotalScale);
        totals.RevenueScale = Math.Max(totals.RevenueScale, sums.RevenueScale);
        AddHundredths(ref totals.TotalHundredths, ref totals.Total, sums.TotalHundredths, totals.TotalScale);
        AddHundredths(ref totals.RevenueHundredths, ref totals.Revenue, sums.RevenueHundredths, totals.RevenueScale);
    }

    /// <summary>Forgets every date, keeping the memory for the next use.</summary>
    public void Clear()
    {
        Array.Clear(_window);
        _outside.Clear();
    }

    /// <summary>Returns the aggregates of the dates <paramref name="range"/> keeps, in date order.</summary>
    public IReadOnlyList<DailyAggregate> ToAggregates(DateRange range)
    {
        var entries = Entries().ToList();
        if (entries.Count == 0)
        {
            return [];
        }

        var bounds = range.Resolve(entries.Max(e => e.Date));
        return entries
            .Where(pair => bounds is not { } b || (pair.Date >= b.First && pair.Date <= b.Last))
            .OrderBy(pair => pair.Date)
            .Select(pair => new DailyAggregate(
                pair.Date,
                PositiveZero(pair.Sums.Total + ToDecimal(pair.Sums.TotalHundredths, pair.Sums.TotalScale)),
                PositiveZero(pair.Sums.Revenue + ToDecimal(pair.Sums.RevenueHundredths, pair.Sums.RevenueScale)),
                pair.Sums.Count))
            .ToList();
    }

    /// <summary>
    /// A sum of zero without its sign: decimal addition keeps a zero's sign by the order of the terms (-1 + 1 is -0,
    /// 0 + -0 is +0), and totals summed in pieces must not differ from totals summed in order. The scale is kept.
    /// </summary>
    private static decimal PositiveZero(decimal sum) => sum == 0m && decimal.IsNegative(sum) ? -sum : sum;

    /// <summary>
    /// A sum of hundredths as a decimal of <paramref name="scale"/>: exact, since every term had at most that scale
    /// (so was a whole multiple of its unit).
    /// </summary>
    private static decimal ToDecimal(long hundredths, byte scale)
    {
        var units = scale switch { 2 => hundredths, 1 => hundredths / 10, _ => hundredths / 100 };
        var magnitude = units < 0 ? 0UL - (ulong)units : (ulong)units;
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, units < 0, scale);
    }

    private IEnumerable<(DateOnly Date, Totals Sums)> Entries()
    {
        for (var i = 0; i < _window.Length; i++)
        {
            if (_window[i].Count > 0)
            {
                yield return (DateOnly.FromDayNumber(_firstDay + i), _window[i]);
            }
        }

        foreach (var (date, sums) in _outside)
        {
            yield return (date, sums);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Totals Find(DateOnly date)
    {
        var index = date.DayNumber - _firstDay;
        var window = _window;
        if ((uint)index < (uint)window.Length)
        {
            return ref window[index];
        }

        return ref FindOutsideWindow(date);
    }

    /// <summary>Grows the window to take <paramref name="date"/> when it stays narrow enough, else uses the dictionary.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ref Totals FindOutsideWindow(DateOnly date)
    {
        var day = date.DayNumber;
        if (_window.Length == 0)
        {
            // Start with a year on each side; most files span a few years at most.
            _firstDay = day - 366;
            _window = new Totals[733];
            return ref _window[day - _firstDay];
        }

        var lastDay = _firstDay + _window.Length - 1;
        var first = Math.Min(_firstDay, day);
        var last = Math.Max(lastDay, day);
        if (last - first >= MaxWindowDays)
        {
            // The window only grows, so a date that does not fit now never will: it has one entry, here.
            return ref CollectionsMarshal.GetValueRefOrAddDefault(_outside, date, out _);
        }

        // Grow by at least the current length on the side the date is, within the limit: O(days) copying in all.
        var (newFirst, newLast) = day < _firstDay
            ? (Math.Max(first - _window.Length, last - MaxWindowDays + 1), last)
            : (first, Math.Min(last + _window.Length, first + MaxWindowDays - 1));
        var newLength = newLast - newFirst + 1;
        var larger = new Totals[newLength];
        _window.CopyTo(larger, _firstDay - newFirst);
        _window = larger;
        _firstDay = newFirst;
        return ref _window[day - _firstDay];
    }

    private struct Totals
    {
        public decimal Total;
        public decimal Revenue;
        public long Count;

        // The scanner's transactions, summed apart (see the remarks).
        public long TotalHundredths;
        public long RevenueHundredths;
        public byte TotalScale;
        public byte RevenueScale;
    }
}
