namespace TransactionPipeline.Import.Json;

/// <summary>The bytes of the input read but not parsed yet, and the way to get more of them.</summary>
internal interface IInputWindow : IAsyncDisposable
{
    /// <summary>Gets the bytes read and not yet consumed.</summary>
    ReadOnlyMemory<byte> Unparsed { get; }

    /// <summary>Gets a value indicating whether the input has ended: no fill will add bytes.</summary>
    bool EndOfInput { get; }

    /// <summary>Marks the first <paramref name="count"/> bytes of <see cref="Unparsed"/> as parsed.</summary>
    void Consume(int count);

    /// <summary>Appends the next bytes of the input to <see cref="Unparsed"/>, or sets <see cref="EndOfInput"/> when there are none.</summary>
    /// <returns><see langword="false"/> when the unfinished value is already longer than the largest allowed: nothing was appended.</returns>
    ValueTask<bool> FillAsync();
}
