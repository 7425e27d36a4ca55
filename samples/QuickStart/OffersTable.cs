using System.Globalization;
using TransactionPipeline;

namespace QuickStart;

/// <summary>Prints a job's offers as a text table whose number columns are as wide as their largest value.</summary>
internal static class OffersTable
{
    public static void Write(TextWriter output, JobStatus status, JobResult result)
    {
        output.WriteLine();
        output.WriteLine($"Offers of {status.JobId}: {result.TransactionsProcessed:N0} transactions, {result.Aggregates.Count} aggregates, {result.Offers.Count} offers (model {result.ModelVersion})");
        output.WriteLine(
            "Only the dates in the request's date range are aggregated: by default last_30_days, the 30 days up to the newest date "
            + "in the data (set aggregate_config.date_range, for example \"all\", to change it).");
        output.WriteLine();
        var amounts = result.Offers.Select(o => o.Amount.ToString("N0", CultureInfo.InvariantCulture)).ToList();
        var counts = result.Offers.Select(o => o.TransactionCount.ToString("N0", CultureInfo.InvariantCulture)).ToList();
        var amountWidth = amounts.Append("amount").Max(a => a.Length);
        var countWidth = counts.Append("transactions").Max(c => c.Length);
        output.WriteLine($"  date        offer type    {"amount".PadLeft(amountWidth)}     rate  score  risk    {"transactions".PadLeft(countWidth)}");
        output.WriteLine($"  ----------  ------------  {new string('-', amountWidth)}  -------  -----  ------  {new string('-', countWidth)}");
        for (var i = 0; i < result.Offers.Count; i++)
        {
            var offer = result.Offers[i];
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  {offer.Date:yyyy-MM-dd}  {offer.OfferType,-12}  {amounts[i].PadLeft(amountWidth)}  {offer.InterestRate,7:P1}  {offer.CreditScore,5}  {offer.RiskLevel.ToString().ToUpperInvariant(),-6}  {counts[i].PadLeft(countWidth)}"));
        }

        output.WriteLine();
    }
}
