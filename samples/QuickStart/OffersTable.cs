using System.Globalization;
using TransactionPipeline;

namespace QuickStart;

/// <summary>Prints a job's offers as a text table.</summary>
internal static class OffersTable
{
    public static void Write(TextWriter output, JobStatus status, JobResult result)
    {
        output.WriteLine();
        output.WriteLine($"Offers of {status.JobId}: {result.TransactionsProcessed:N0} transactions, {result.Aggregates.Count} aggregates, {result.Offers.Count} offers (model {result.ModelVersion})");
        output.WriteLine();
        output.WriteLine("  date        offer type      amount        rate   score  risk    transactions");
        output.WriteLine("  ----------  ------------  ----------  -------  -----  ------  ------------");
        foreach (var offer in result.Offers)
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  {offer.Date:yyyy-MM-dd}  {offer.OfferType,-12}  {offer.Amount,10:N0}  {offer.InterestRate,7:P1}  {offer.CreditScore,5}  {offer.RiskLevel.ToString().ToUpperInvariant(),-6}  {offer.TransactionCount,12:N0}"));
        }

        output.WriteLine();
    }
}
