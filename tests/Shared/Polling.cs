namespace TransactionPipeline.Tests.Shared;

/// <summary>Waits for what a background loop does, without timings in assertions.</summary>
internal static class Polling
{
    /// <summary>Reads until the value is done, or the patience runs out; returns the last value read, for the test to assert on.</summary>
    public static async Task<T> WaitUntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        while (true)
        {
            var value = await read();
            if (done(value) || timeout.IsCancellationRequested)
            {
                return value;
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }
}
