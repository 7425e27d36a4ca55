
namespace TransactionPipeline.Import;

/// <summary>Checks one transaction against <see cref="TransactionLimits"/>, for inputs that did not come through the JSON reader.</summary>
internal static class TransactionRules
{
    public static void Validate(in TransactionRecord transaction, long index)
    {
        string? problem = null;
        if (decimal.Abs(transaction.Amount) >= TransactionLimits.AmountLimit)
        {
            problem = $"Amount {transaction.Amount} has more than {TransactionLimits.MaxAmountIntegerDigits} digits before the decimal point";
        }
        else if (decimal.Round(transaction.Amount, TransactionLimits.MaxAmountDecimals) != transaction.Amount)
        {
            problem = $"Amount {transaction.Amount} has more than {TransactionLimits.MaxAmountDecimals} decimal places";
        }
        else if (transaction.Description is null)
        {
            problem = "The description is null";
        }
        else if (transaction.Description.Length > TransactionLimits.MaxDescriptionLength
            && transaction.Description.EnumerateRunes().Count() > TransactionLimits.MaxDescriptionLength)
        {
            problem = $"The description is longer than {TransactionLimits.MaxDescriptionLength} characters";
        }

        if (problem is not null)
        {
            throw new InvalidInputException(new JobError(JobErrorKind.InvalidInput, $"{problem} (item {index}).", index, null, $"$.data[{index}]"));
        }
    }
}
