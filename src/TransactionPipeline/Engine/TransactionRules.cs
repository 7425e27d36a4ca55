using TransactionPipeline.Parsing;

namespace TransactionPipeline.Engine;

/// <summary>The contract's limits on one transaction, for inputs that did not come through the JSON reader.</summary>
internal static class TransactionRules
{
    private static readonly decimal AmountLimit = 10_000_000_000_000m;

    public static void Validate(in TransactionRecord transaction, long index)
    {
        string? problem = null;
        if (decimal.Abs(transaction.Amount) >= AmountLimit)
        {
            problem = $"Amount {transaction.Amount} has more than 13 digits before the decimal point";
        }
        else if (decimal.Round(transaction.Amount, 2) != transaction.Amount)
        {
            problem = $"Amount {transaction.Amount} has more than 2 decimal places";
        }
        else if (transaction.Description is null)
        {
            problem = "The description is null";
        }
        else if (transaction.Description.Length > 255 && transaction.Description.EnumerateRunes().Count() > 255)
        {
            problem = "The description is longer than 255 characters";
        }

        if (problem is not null)
        {
            throw new InvalidInputException(new JobError(JobErrorKind.InvalidInput, $"{problem} (item {index}).", index, null, $"$.data[{index}]"));
        }
    }
}
