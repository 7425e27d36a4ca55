using System.Diagnostics;
using TransactionPipeline;

namespace QuickStart;

/// <summary>One live line while importing (rows, MB, MB/s, stage), then one line per finished stage.</summary>
internal sealed class ProgressDisplay(string path, long? totalBytes)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsOutputRedirected;
    private TimeSpan _lastLine = TimeSpan.FromSeconds(-10);
    private bool _onProgressLine;

    public void Show(JobEvent jobEvent)
    {
        var status = jobEvent.Status;
        switch (jobEvent.EventType)
        {
            case JobEventTypes.JobCreated:
                var size = totalBytes is { } known ? DataGenerator.FormatBytes(known) : "size unknown";
                Console.WriteLine($"Job {status.JobId}: processing {path} ({size})");
                break;
            case JobEventTypes.ImportProgress:
                ShowProgress(status, final: false);
                break;
            case JobEventTypes.ImportCompleted:
                ShowProgress(status, final: true);
                break;
            case JobEventTypes.AggregationCompleted:
                Line($"  aggregate     {status.Progress.AggregatesCreated:N0} daily aggregates");
                break;
            case JobEventTypes.CreditModelCompleted:
                Line("  credit model  every aggregated date scored");
                break;
            case JobEventTypes.OffersGenerated:
                Line($"  offers        {status.Progress.OffersGenerated:N0} offers");
                break;
            case JobEventTypes.JobComplete:
                Line($"  done          JOB_COMPLETE in {_clock.Elapsed.TotalSeconds:0.0} s");
                break;
            case JobEventTypes.Failed:
                Line($"  FAILED        {status.Error?.Message}");
                break;
            default:
                break;
        }
    }

    private void ShowProgress(JobStatus status, bool final)
    {
        var progress = status.Progress;
        var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
        var percent = totalBytes is > 0 and var total ? $"{100.0 * progress.BytesRead / total,5:0.0}%" : string.Empty;
        var text = $"  import  {percent} {progress.TransactionsImported,13:N0} rows {DataGenerator.FormatBytes(progress.BytesRead),10} "
            + $"{progress.BytesRead / seconds / (1 << 20),7:0.0} MB/s  stage: {status.Stage.ToString().ToLowerInvariant()}";
        if (_interactive)
        {
            Console.Write($"\r{text}   ");
            _onProgressLine = true;
            if (final)
            {
                Console.WriteLine();
                _onProgressLine = false;
            }
        }
        else if (final || _clock.Elapsed - _lastLine >= TimeSpan.FromSeconds(1))
        {
            _lastLine = _clock.Elapsed;
            Console.WriteLine(text);
        }
    }

    private void Line(string text)
    {
        if (_onProgressLine)
        {
            Console.WriteLine();
            _onProgressLine = false;
        }

        Console.WriteLine(text);
    }
}
