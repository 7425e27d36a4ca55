using System.Net;
using System.Net.Sockets;

namespace TransactionPipeline.AspNetCore.Tests.Uploads;

/// <summary>
/// A loopback TCP proxy in front of a server that resets every connection once the client has sent a given number of
/// bytes through it: a network that drops a long upload every few megabytes.
/// </summary>
internal sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly long _cutAfter;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _cuts;

    public CuttingProxy(Uri target, long cutAfter)
    {
        _target = target;
        _cutAfter = cutAfter;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    /// <summary>Gets how many connections the proxy cut.</summary>
    public int Cuts => Volatile.Read(ref _cuts);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        using (client)
        {
            try
            {
                await server.ConnectAsync(_target.Host, _target.Port, _stop.Token);
                using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = PumpAsync(client.GetStream(), server.GetStream(), _cutAfter, done.Token);
                var down = PumpAsync(server.GetStream(), client.GetStream(), long.MaxValue, done.Token);
                var first = await Task.WhenAny(up, down);
                if (first == up && await up)
                {
                    // Cut: reset both sides, as a dropped network would leave them.
                    Interlocked.Increment(ref _cuts);
                    client.Client.LingerState = new LingerOption(true, 0);
                    server.Client.LingerState = new LingerOption(true, 0);
                }

                await done.CancelAsync();
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // One side went away: the other follows when the sockets close.
            }
        }
    }

    /// <summary>Copies until the source ends; <see langword="true"/> when it stopped because the limit was reached.</summary>
    private static async Task<bool> PumpAsync(NetworkStream from, NetworkStream to, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long sent = 0;
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - sent)), cancellationToken);
                if (read == 0)
                {
                    return false;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                sent += read;
                if (sent >= limit)
                {
                    return true;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }
}
