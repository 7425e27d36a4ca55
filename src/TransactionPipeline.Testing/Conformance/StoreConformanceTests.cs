namespace TransactionPipeline.Testing.Conformance;

/// <summary>The base of every conformance suite: how a suite gets a store, and the same data again after a restart.</summary>
/// <typeparam name="TStore">The store role under test.</typeparam>
public abstract class StoreConformanceTests<TStore>
    where TStore : class
{
    /// <summary>A job id used by the suites that do not create jobs themselves.</summary>
    protected const string JobA = "pipeline_20241201_001";

    /// <summary>A second job id, to check that jobs do not see each other's data.</summary>
    protected const string JobB = "pipeline_20241201_002";

    /// <summary>Creates a store over a new, empty database.</summary>
    protected abstract Task<TStore> CreateStoreAsync();

    /// <summary>Creates a new store instance over the database of the last <see cref="CreateStoreAsync"/>, as after a restart.</summary>
    protected abstract Task<TStore> ReopenStoreAsync();
}
