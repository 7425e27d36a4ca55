namespace TransactionPipeline.Import.Json;

/// <summary>Raised by the reader when the input breaks the contract; carries the error the job fails with.</summary>
internal sealed class InvalidInputException(JobError error) : Exception(error.Message)
{
    public JobError Error { get; } = error;

    public static InvalidInputException At(string message, long? itemIndex, long byteOffset, string? path) =>
        new(new JobError(JobErrorKind.InvalidInput, Describe(message, itemIndex, byteOffset), itemIndex, byteOffset, path));

    private static string Describe(string message, long? itemIndex, long byteOffset) => itemIndex is long index
        ? $"{message} (item {index}, byte offset {byteOffset})."
        : $"{message} (byte offset {byteOffset}).";
}
