using System.Globalization;

namespace TransactionPipeline;

/// <summary>The form of job ids: <c>pipeline_</c>, the UTC creation day as <c>yyyyMMdd</c>, and the day's job number of at least three digits.</summary>
public static class JobIds
{
    /// <summary>Returns the UTC day a job created at <paramref name="createdAt"/> is numbered in.</summary>
    /// <param name="createdAt">The creation time, in any offset.</param>
    /// <returns>Its UTC date.</returns>
    public static DateOnly DayOf(DateTimeOffset createdAt) => DateOnly.FromDateTime(createdAt.UtcDateTime);

    /// <summary>Formats a job id, for example <c>pipeline_20241201_001</c>.</summary>
    /// <param name="day">The UTC creation day.</param>
    /// <param name="number">The number <see cref="IJobStore.ReserveJobNumberAsync"/> reserved for that day.</param>
    /// <returns>The id.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="number"/> is less than 1.</exception>
    public static string Format(DateOnly day, long number)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        return string.Create(CultureInfo.InvariantCulture, $"pipeline_{day:yyyyMMdd}_{number:D3}");
    }
}
