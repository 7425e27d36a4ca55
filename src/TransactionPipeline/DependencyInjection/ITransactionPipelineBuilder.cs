using Microsoft.Extensions.DependencyInjection;

namespace TransactionPipeline;

/// <summary>Configures the services of the transaction pipeline; storage providers and plug-ins hang their <c>Use…</c> and <c>Add…</c> methods on it.</summary>
public interface ITransactionPipelineBuilder
{
    /// <summary>Gets the service collection the pipeline is registered in.</summary>
    IServiceCollection Services { get; }
}

internal sealed class TransactionPipelineBuilder(IServiceCollection services) : ITransactionPipelineBuilder
{
    public IServiceCollection Services { get; } = services;
}
