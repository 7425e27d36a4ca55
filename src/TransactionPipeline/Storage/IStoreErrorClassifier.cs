namespace TransactionPipeline;

/// <summary>Tells the engine what an exception of a store's driver means, so a job that it stops fails with a reason a person can act on.</summary>
/// <remarks>
/// Storage providers register one next to their store (several may be registered; the first that recognises an exception
/// wins). The engine asks it about the exception that stopped a job and about each inner exception.
/// </remarks>
public interface IStoreErrorClassifier
{
    /// <summary>Classifies an exception.</summary>
    /// <param name="exception">An exception a store call threw, or one of its inner exceptions.</param>
    /// <returns>
    /// <see cref="JobErrorKind.StoreUnavailable"/> when the store could not be reached or stopped answering,
    /// <see cref="JobErrorKind.StorageFull"/> when it has no space left, or <see langword="null"/> when the exception is
    /// neither (it then counts as a failed stage).
    /// </returns>
    JobErrorKind? Classify(Exception exception);
}
