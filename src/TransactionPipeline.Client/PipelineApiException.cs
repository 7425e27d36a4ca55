using System.Net;
using System.Text.Json;

namespace TransactionPipeline.Client;

/// <summary>An RFC 9457 problem the pipeline's HTTP API answered with.</summary>
/// <remarks>Invalid input (<c>400</c>) carries <see cref="ItemIndex"/> and <see cref="ByteOffset"/>; a job that is not complete yet (<c>409</c>) carries <see cref="JobStatus"/>.</remarks>
public sealed class PipelineApiException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="PipelineApiException"/> class.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail.</param>
    /// <param name="problem">The whole problem document, or an undefined element when the body was not one.</param>
    public PipelineApiException(HttpStatusCode statusCode, string? title, string? detail, JsonElement problem)
        : base(detail ?? title ?? $"The pipeline answered {(int)statusCode} {statusCode}.")
    {
        StatusCode = statusCode;
        Title = title;
        Detail = detail;
        Problem = problem;
    }

    /// <summary>Gets the HTTP status.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Gets the problem's title.</summary>
    public string? Title { get; }

    /// <summary>Gets the problem's detail.</summary>
    public string? Detail { get; }

    /// <summary>Gets the whole problem document, extensions included.</summary>
    public JsonElement Problem { get; }

    /// <summary>Gets the job the problem is about, when there is one.</summary>
    public string? JobId => String("job_id");

    /// <summary>Gets the job's state (<c>job_status</c>), when the problem names one.</summary>
    public string? JobStatus => String("job_status");

    /// <summary>Gets the zero-based index of the offending item of invalid input.</summary>
    public long? ItemIndex => Number("item_index");

    /// <summary>Gets the byte offset of the error in the submitted body.</summary>
    public long? ByteOffset => Number("byte_offset");

    internal static string? ReadString(JsonElement problem, string name) =>
        Member(problem, name, JsonValueKind.String) is { } value ? value.GetString() : null;

    private string? String(string name) => ReadString(Problem, name);

    private long? Number(string name) => Member(Problem, name, JsonValueKind.Number)?.GetInt64();

    private static JsonElement? Member(JsonElement problem, string name, JsonValueKind kind) =>
        problem.ValueKind == JsonValueKind.Object && problem.TryGetProperty(name, out var value) && value.ValueKind == kind ? value : null;
}
