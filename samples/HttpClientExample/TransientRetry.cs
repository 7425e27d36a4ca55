using System.Net;
using System.Net.Http;
using TransactionPipeline.Client;

namespace HttpClientExample;

/// <summary>Retries a request that is safe to repeat when it fails for a reason that may pass, with exponential backoff.</summary>
/// <remarks>
/// Only reads (status, offers, events) go through here: repeating them changes nothing on the server.
/// A 4xx answer is the server's considered reply and is never retried; a 409 from the offers route is not
/// an error either, it means "not complete yet" and the caller decides what to do with it.
/// </remarks>
internal sealed class TransientRetry(int maxAttempts = 6, TimeSpan? firstDelay = null, TimeSpan? maxDelay = null)
{
    private readonly TimeSpan _firstDelay = firstDelay ?? TimeSpan.FromSeconds(0.5);
    private readonly TimeSpan _maxDelay = maxDelay ?? TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets where each retry is reported.</summary>
    public TextWriter Log { get; set; } = Console.Error;

    public async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await request(cancellationToken);
            }
            catch (Exception ex) when (attempt < maxAttempts && IsTransient(ex, cancellationToken))
            {
                var delay = Delay(attempt);
                Log.WriteLine($"  {what} failed ({ex.GetType().Name}: {ex.Message}); retry {attempt}/{maxAttempts - 1} in {delay.TotalSeconds:0.0} s");
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    /// <summary>The wait before retry <paramref name="attempt"/>: the first delay, doubled each time, capped.</summary>
    public TimeSpan Delay(int attempt) =>
        TimeSpan.FromTicks(Math.Min(_maxDelay.Ticks, _firstDelay.Ticks << Math.Min(attempt - 1, 30)));

    /// <summary>Whether a failure may pass: no connection, a dropped connection, a timeout, or a 5xx/408/429 answer.</summary>
    public static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        PipelineApiException api => (int)api.StatusCode >= 500 || api.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        HttpRequestException or IOException => true,

        // HttpClient.Timeout surfaces as a cancellation that the caller did not ask for.
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>Whether the request failed before a connection existed, so the server cannot have seen any of it.</summary>
    public static bool NeverReachedServer(Exception exception) =>
        exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };
}
