using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TransactionPipeline.Hosting;

namespace TransactionPipeline;

/// <summary>Registers the hosted worker on <see cref="ITransactionPipelineBuilder"/>.</summary>
public static class PipelineHostingBuilderExtensions
{
    /// <summary>Runs queued jobs and resumes interrupted ones in a hosted service for as long as the host runs.</summary>
    /// <param name="builder">The pipeline builder.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>Calling it twice registers the worker once.</remarks>
    public static ITransactionPipelineBuilder AddHostedWorker(this ITransactionPipelineBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.Services.Any(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(PipelineWorker)))
        {
            builder.Services.AddHostedService<PipelineWorker>();
        }

        return builder;
    }
}
