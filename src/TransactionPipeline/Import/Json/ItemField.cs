namespace TransactionPipeline.Import.Json;

/// <summary>The four properties of an item, as flags, so a set of them says which an item has shown.</summary>
[Flags]
internal enum ItemField
{
    None = 0,
    Amount = 1,
    Date = 2,
    IsRevenue = 4,
    Description = 8,
    All = Amount | Date | IsRevenue | Description,
}
