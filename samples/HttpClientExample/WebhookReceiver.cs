using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using TransactionPipeline.Client;

namespace HttpClientExample;

/// <summary>A local receiver of the job's JOB_COMPLETE / FAILED webhook that checks the Standard Webhooks signature.</summary>
/// <remarks>
/// The server only calls loopback addresses when it allows private webhook targets, which the sample host
/// does in the Development environment (the default of <c>dotnet run</c>). Real receivers are https endpoints.
/// </remarks>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _secret = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;

    public static async Task<WebhookReceiver?> StartAsync(TransactionPipelineClient client, string jobId, CancellationToken cancellationToken)
    {
        var receiver = new WebhookReceiver();
        var url = new Uri($"http://127.0.0.1:{FreePort()}/hooks/pipeline/");
        receiver._listener.Prefixes.Add(url.ToString());
        receiver._listener.Start();
        receiver._loop = receiver.ReceiveAsync();
        try
        {
            var registration = await client.RegisterWebhookAsync(jobId, url, ["JOB_COMPLETE", "FAILED"], cancellationToken);
            receiver._secret.TrySetResult(registration.Secret);
            Console.WriteLine($"Webhook {registration.Id} registered: {url}");
            return receiver;
        }
        catch (PipelineApiException ex)
        {
            Console.Error.WriteLine($"Webhook refused ({(int)ex.StatusCode}): {ex.Message}; continuing without it.");
            await receiver.DisposeAsync();
            return null;
        }
    }

    /// <summary>Waits a while for the delivery: it is sent by a background worker and may trail the event stream.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _received.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            Console.Error.WriteLine($"No webhook within {timeout.TotalSeconds:0} s.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Close();
        _secret.TrySetCanceled();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers;

            // A delivery can arrive before the registration's answer (events the job already reached are replayed at once).
            var secret = await _secret.Task;
            var valid = Verify(secret, headers["webhook-id"], headers["webhook-timestamp"], body, headers["webhook-signature"]);
            Console.WriteLine($"Webhook {headers["webhook-id"]} received, signature {(valid ? "valid" : "INVALID")}: {body[..Math.Min(body.Length, 60)]}...");

            // Any 2xx ends the server's retries; a receiver that cannot trust the message should not accept it.
            context.Response.StatusCode = valid ? 204 : 401;
            context.Response.Close();
            _received.TrySetResult();
        }
    }

    private static bool Verify(string secret, string? id, string? timestamp, string body, string? signatures)
    {
        if (id is null || timestamp is null || signatures is null)
        {
            return false;
        }

        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
        return signatures.Split(' ').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), Encoding.ASCII.GetBytes(expected)));
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
