using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TransactionPipeline.Testing;

/// <summary>Registers the <see cref="InMemoryStore"/> on <see cref="ITransactionPipelineBuilder"/>.</summary>
public static class InMemoryStorageBuilderExtensions
{
    /// <summary>Keeps jobs, transactions and results in memory, for tests and demos: nothing survives a restart.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ITransactionPipelineBuilder UseInMemoryStorage(this ITransactionPipelineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<InMemoryStore>();
        builder.Services.AddSingleton<InMemoryStore>();
        builder.UseStorage<InMemoryStore>();
        return builder;
    }
}
