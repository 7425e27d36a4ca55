using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace TransactionPipeline;

/// <summary>Which jobs <see cref="IPipeline.ListJobsAsync"/> answers: newest first, filtered, one page at a time.</summary>
public sealed record JobQuery
{
    /// <summary>The most jobs a page may hold.</summary>
    public const int MaxLimit = 500;

    /// <summary>Gets the state a job must be in, or <see langword="null"/> for every state.</summary>
    public JobState? State { get; init; }

    /// <summary>Gets the time a job must have been created after (exclusive), or <see langword="null"/>.</summary>
    public DateTimeOffset? CreatedAfter { get; init; }

    /// <summary>Gets the time a job must have been created before (exclusive), or <see langword="null"/>.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Gets the tenant whose jobs are listed, or <see langword="null"/> for the jobs of every tenant and of none.</summary>
    public string? Tenant { get; init; }

    /// <summary>Gets how many jobs a page holds at most, from 1 to <see cref="MaxLimit"/>.</summary>
    /// <value>The default value is 50.</value>
    public int Limit { get; init; } = 50;

    /// <summary>Gets the <see cref="JobPage.NextCursor"/> of the page before, or <see langword="null"/> for the first page.</summary>
    public string? Cursor { get; init; }

    /// <summary>Reads <see cref="Cursor"/>: the job the previous page ended with; the page starts after it.</summary>
    /// <param name="createdAt">The creation time of that job.</param>
    /// <param name="jobId">Its id.</param>
    /// <returns><see langword="true"/> when <see cref="Cursor"/> is set; <see langword="false"/> for the first page.</returns>
    /// <exception cref="FormatException"><see cref="Cursor"/> is not a cursor this library wrote.</exception>
    public bool TryGetPosition(out DateTimeOffset createdAt, out string jobId)
    {
        (createdAt, jobId) = (default, string.Empty);
        if (Cursor is null)
        {
            return false;
        }

        var bytes = new byte[Base64Url.GetMaxDecodedLength(Cursor.Length)];
        if (!Base64Url.TryDecodeFromChars(Cursor, bytes, out var written)
            || Encoding.UTF8.GetString(bytes, 0, written).Split('|', 2) is not [var ticks, var id]
            || !long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var utcTicks)
            || utcTicks < DateTimeOffset.MinValue.UtcTicks || utcTicks > DateTimeOffset.MaxValue.UtcTicks
            || id.Length == 0)
        {
            throw new FormatException("The cursor is not one a page of jobs gave.");
        }

        (createdAt, jobId) = (new DateTimeOffset(utcTicks, TimeSpan.Zero), id);
        return true;
    }

    /// <summary>The cursor of the page that starts after <paramref name="last"/>, as <see cref="JobPage.NextCursor"/> gives it.</summary>
    /// <param name="last">The last job of a page.</param>
    /// <returns>An opaque, URL-safe cursor.</returns>
    public static string CursorAfter(JobStatus last) => last is null
        ? throw new ArgumentNullException(nameof(last))
        : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{last.CreatedAt.UtcTicks}|{last.JobId}")));
}

/// <summary>A page of jobs, newest first.</summary>
/// <param name="Jobs">The jobs.</param>
/// <param name="NextCursor">The <see cref="JobQuery.Cursor"/> of the next page, or <see langword="null"/> when this is the last.</param>
public sealed record JobPage(IReadOnlyList<JobStatus> Jobs, string? NextCursor);
