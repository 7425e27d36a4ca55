using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TransactionPipeline.Benchmarks;

/// <summary>
/// <c>chart OUT.svg REPORT.json...</c>: draws throughput and peak memory against input size from the reports that
/// <c>e2e --json</c> wrote, one line per case.
/// </summary>
internal static class Chart
{
    private const int PanelWidth = 520;
    private const int PanelHeight = 300;
    private const int Margin = 60;

    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public static async Task<int> RunAsync(string[] args)
    {
        var reports = new List<(long Bytes, List<CaseResult> Results)>();
        foreach (var path in args[1..])
        {
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(path));
            var bytes = document.RootElement.GetProperty("FileBytes").GetInt64();
            var results = document.RootElement.GetProperty("Results").Deserialize<List<CaseResult>>()!;
            reports.Add((bytes, results));
        }

        reports.Sort((a, b) => a.Bytes.CompareTo(b.Bytes));
        var series = Cases.All
            .Select(c => (c.Name, Points: reports
                .Select(r => (r.Bytes, Result: r.Results.FirstOrDefault(x => x.Name == c.Name && x.Seconds > 0)))
                .Where(p => p.Result is not null)
                .Select(p => (Size: p.Bytes / (double)(1 << 20), Throughput: p.Bytes / (double)(1 << 20) / p.Result!.Seconds, PeakMb: p.Result.PeakBytes / (double)(1 << 20)))
                .ToList()))
            .Where(s => s.Points.Count > 0)
            .ToList();

        var svg = new StringBuilder();
        var width = (2 * PanelWidth) + (3 * Margin);
        var height = PanelHeight + (2 * Margin) + (series.Count * 18);
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">""").AppendLine();
        svg.AppendLine($"""<rect width="{width}" height="{height}" fill="white"/>""");
        var sizes = reports.Select(r => r.Bytes / (double)(1 << 20)).ToList();
        Panel(svg, Margin, "Throughput (MB/s) by input size", sizes, series.Select(s => (s.Name, s.Points.Select(p => (p.Size, p.Throughput)).ToList())).ToList(), logY: false);
        Panel(svg, (2 * Margin) + PanelWidth, "Peak memory (MB, log scale) by input size", sizes, series.Select(s => (s.Name, s.Points.Where(p => p.PeakMb > 0).Select(p => (p.Size, p.PeakMb)).ToList())).ToList(), logY: true);
        for (var i = 0; i < series.Count; i++)
        {
            var y = PanelHeight + (2 * Margin) + (i * 18) - 10;
            var label = IsReference(series[i].Name) ? series[i].Name + " (reference, dashed)" : series[i].Name;
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect x="{Margin}" y="{y - 9}" width="12" height="12" fill="{ColorOf(series[i].Name)}"/><text x="{Margin + 18}" y="{y + 1}">{label}</text>""");
        }

        svg.AppendLine("</svg>");
        await File.WriteAllTextAsync(args[0], svg.ToString());
        Console.WriteLine($"Wrote {args[0]} from {reports.Count} report(s).");
        return 0;
    }

    /// <summary>One panel: a log-scale x axis over the input sizes; a y axis from zero, or from 1 in log scale.</summary>
    private static void Panel(StringBuilder svg, int left, string title, List<double> sizes, List<(string Name, List<(double X, double Y)> Points)> series, bool logY)
    {
        var top = Margin;
        var maxY = Math.Max(1, series.SelectMany(s => s.Points).Max(p => p.Y)) * 1.1;
        if (logY)
        {
            maxY = Math.Pow(10, Math.Ceiling(Math.Log10(maxY)));
        }

        var minX = Math.Log10(sizes.Min());
        var maxX = Math.Log10(sizes.Max());
        double X(double size) => left + (maxX > minX ? (Math.Log10(size) - minX) / (maxX - minX) * PanelWidth : PanelWidth / 2.0);
        double Y(double value) => top + PanelHeight - ((logY ? Math.Log10(Math.Max(1, value)) / Math.Log10(maxY) : value / maxY) * PanelHeight);

        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{left}" y="{top - 20}" font-size="14" font-weight="bold">{title}</text>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect x="{left}" y="{top}" width="{PanelWidth}" height="{PanelHeight}" fill="none" stroke="#999"/>""");
        var ticks = logY ? (int)Math.Round(Math.Log10(maxY)) : 4;
        for (var tick = 0; tick <= ticks; tick++)
        {
            var value = logY ? Math.Pow(10, tick) : maxY * tick / 4;
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{left}" x2="{left + PanelWidth}" y1="{Y(value):0.0}" y2="{Y(value):0.0}" stroke="#eee"/><text x="{left - 6}" y="{Y(value) + 4:0.0}" text-anchor="end">{value:0}</text>""");
        }

        foreach (var size in sizes)
        {
            var label = size >= 1024 ? $"{size / 1024:0.#} GB" : $"{size:0} MB";
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{X(size):0.0}" y="{top + PanelHeight + 16}" text-anchor="middle">{label}</text>""");
        }

        for (var i = 0; i < series.Count; i++)
        {
            var color = ColorOf(series[i].Name);
            var points = string.Join(" ", series[i].Points.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.X):0.0},{Y(p.Y):0.0}")));
            var dash = IsReference(series[i].Name) ? """ stroke-dasharray="6 4" """ : " ";
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<polyline points="{points}" fill="none" stroke="{color}"{dash}stroke-width="2"/>""");
            foreach (var (x, y) in series[i].Points)
            {
                svg.AppendLine(CultureInfo.InvariantCulture, $"""<circle cx="{X(x):0.0}" cy="{Y(y):0.0}" r="3" fill="{color}"/>""");
            }
        }
    }

    private static string ColorOf(string name) => Colors[Array.FindIndex(Cases.All, c => c.Name == name) % Colors.Length];

    private static bool IsReference(string name) => Cases.All.FirstOrDefault(c => c.Name == name).IsReference;
}
