using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace TransactionPipeline.AspNetCore.Tests.Http;

public sealed class JobEndpointsTests : IAsyncLifetime
{
    private PipelineServer _server = null!;

    public async Task InitializeAsync() => _server = await PipelineServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Submit_SeedSample_AnswersAcceptedWithLinks()
    {
        using var response = await _server.SubmitAsync(SeedSample.Request);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var jobId = body.GetProperty("job_id").GetString();
        jobId.Should().MatchRegex(@"^pipeline_\d{8}_\d{3,}$");
        body.GetProperty("status_url").GetString().Should().Be($"/api/jobs/{jobId}/status/");
        body.GetProperty("offers_url").GetString().Should().Be($"/api/jobs/{jobId}/offers/");
        body.GetProperty("events_url").GetString().Should().Be($"/api/jobs/{jobId}/events/");
        body.GetProperty("estimated_duration").GetString().Should().NotBeNullOrEmpty();
        body.GetProperty("next_steps").GetString().Should().NotBeNullOrEmpty();
        body.GetProperty("tips").GetString().Should().NotBeNullOrEmpty();
        body.GetProperty("import_throughput").GetProperty("transactions_imported").GetInt64().Should().Be(1);
        response.Headers.Location!.OriginalString.Should().Be($"/api/jobs/{jobId}/status/");
    }

    [Fact]
    public async Task GetOffers_SeedSampleCompleted_HasTheSeedsShape()
    {
        var jobId = await _server.SubmitSampleAsync();
        var status = await _server.WaitForStatusAsync(jobId, "JOB_COMPLETE", "FAILED");
        status.GetProperty("status").GetString().Should().Be("JOB_COMPLETE");
        status.GetProperty("current_stage").GetString().Should().Be("completed");
        status.GetProperty("progress").GetProperty("transactions_imported").GetInt64().Should().Be(1);
        status.GetProperty("completed_at").ValueKind.Should().Be(JsonValueKind.String);

        var offers = await _server.Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{jobId}/offers/");

        var offer = offers.GetProperty("offers").EnumerateArray().Should().ContainSingle().Subject;
        offer.GetProperty("date").GetString().Should().Be("2024-01-15");
        offer.GetProperty("offer_type").GetString().Should().NotBeNullOrEmpty();
        offer.GetProperty("amount").ValueKind.Should().Be(JsonValueKind.Number);
        offer.GetProperty("interest_rate").ValueKind.Should().Be(JsonValueKind.Number);
        var score = offer.GetProperty("credit_score").GetInt32();
        score.Should().BeInRange(300, 850);
        var risk = offer.GetProperty("risk_level").GetString();
        risk.Should().BeOneOf("LOW", "MEDIUM", "HIGH");
        offer.GetProperty("transaction_count").GetInt64().Should().Be(1);

        var summary = offers.GetProperty("pipeline_summary");
        summary.GetProperty("transactions_processed").GetInt64().Should().Be(1);
        summary.GetProperty("aggregates_created").GetInt32().Should().Be(1);
        summary.GetProperty("offers_generated").GetInt32().Should().Be(1);

        var results = offers.GetProperty("credit_model_results");
        results.GetProperty("credit_scores").GetProperty("2024-01-15").GetInt32().Should().Be(score);
        results.GetProperty("risk_assessments").GetProperty("2024-01-15").GetString().Should().Be(risk);
        results.GetProperty("model_version").GetString().Should().Be("v2.1");
        var config = results.GetProperty("config_used");
        config.GetProperty("risk_threshold").GetDecimal().Should().Be(0.7m);
        config.GetProperty("credit_score_weights").GetProperty("transaction_volume").GetDecimal().Should().Be(0.4m);
    }

    [Fact]
    public async Task GetOffers_RequestWithOneWeightAndAPropertyOfItsOwn_ConfigUsedShowsEveryEffectiveSettingAndKeepsTheOwnOne()
    {
        var body = """
            {"data": [{"amount": 1500.00, "date": "2024-01-15", "is_revenue": true, "description": "a"}],
             "credit_model_config": {"credit_score_weights": {"transaction_volume": 0.5}, "segment": "retail"}}
            """;
        using var submitted = await _server.SubmitAsync(body);
        submitted.StatusCode.Should().Be(HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var jobId = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job_id").GetString()!;
        await _server.WaitForStatusAsync(jobId, "JOB_COMPLETE");

        var offers = await _server.Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{jobId}/offers/");

        var config = offers.GetProperty("credit_model_results").GetProperty("config_used");
        config.GetProperty("model_version").GetString().Should().Be("v2.1");
        config.GetProperty("risk_threshold").GetDecimal().Should().Be(0.7m);
        config.GetProperty("volume_target").GetInt32().Should().Be(100);
        var weights = config.GetProperty("credit_score_weights");
        weights.GetProperty("transaction_volume").GetDecimal().Should().Be(0.5m);
        weights.GetProperty("revenue_ratio").GetDecimal().Should().Be(0.3m, "a weight the request left out takes its default, and says so");
        weights.GetProperty("consistency").GetDecimal().Should().Be(0.3m);
        config.GetProperty("segment").GetString().Should().Be("retail");
    }

    [Theory]
    [InlineData("status")]
    [InlineData("offers")]
    public async Task Routes_WithoutTrailingSlash_Answer(string resource)
    {
        var jobId = await _server.SubmitSampleAsync();
        await _server.WaitForStatusAsync(jobId, "JOB_COMPLETE");

        using var response = await _server.Client.GetAsync($"/api/jobs/{jobId}/{resource}");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Submit_WithoutTrailingSlash_IsAccepted()
    {
        using var response = await _server.Client.PostAsync(
            "/api/financial-transactions/process-transactions", new StringContent(SeedSample.Request, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Submit_JsonSentAsFormType_IsReadAsJson()
    {
        using var response = await _server.Client.PostAsync(
            "/api/financial-transactions/process-transactions/",
            new StringContent(SeedSample.Request, Encoding.UTF8, "application/x-www-form-urlencoded"));

        response.StatusCode.Should().Be(HttpStatusCode.Accepted, "curl -d sends this type, and the body is read as JSON whatever it says");
    }

    [Fact]
    public async Task Submit_BodyThatIsNotJson_IsProblem400WithOffset()
    {
        using var response = await _server.Client.PostAsync(
            "/api/financial-transactions/process-transactions/", new StringContent("amount,date\n1,2024-01-01", Encoding.UTF8, "text/csv"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("byte_offset").GetInt64().Should().Be(0);
        problem.GetProperty("detail").GetString().Should().Contain("Malformed JSON");
    }

    [Theory]
    [InlineData("status")]
    [InlineData("offers")]
    [InlineData("events")]
    public async Task Get_UnknownJob_IsProblem404(string resource)
    {
        using var response = await _server.Client.GetAsync($"/api/jobs/pipeline_19990101_999/{resource}/");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().Should().Be(404);
        problem.GetProperty("job_id").GetString().Should().Be("pipeline_19990101_999");
    }

    public static TheoryData<string, string> BadInputs() => new()
    {
        { "malformed JSON", """{"data": [{"amount": 1.00, "date": "2024-01-15", "is_revenue": true, "description": "a"}, {"amount": 2.00,, "date": "2024-01-15"}]}""" },
        { "wrong type", """{"data": [{"amount": 1.00, "date": "2024-01-15", "is_revenue": "yes", "description": "a"}]}""" },
        { "missing field", """{"data": [{"amount": 1.00, "date": "2024-01-15", "is_revenue": true, "description": "a"}, {"amount": 2.00, "is_revenue": true, "description": "b"}]}""" },
        { "bad date", """{"data": [{"amount": 1.00, "date": "2024-02-30", "is_revenue": true, "description": "a"}]}""" },
        { "too many digits", """{"data": [{"amount": 12345678901234567.00, "date": "2024-01-15", "is_revenue": true, "description": "a"}]}""" },
        { "truncated body", """{"data": [{"amount": 1.00, "date": "2024-01-15", "is_revenue": true, "description": "a"}, {"amount": 2.""" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Submit_BadInput_IsProblem400AndTheJobFailsWithoutOffers(string kind, string body)
    {
        using var response = await _server.SubmitAsync(body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, kind);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().Should().Be(400);
        problem.GetProperty("detail").GetString().Should().NotBeNullOrEmpty();
        problem.GetProperty("item_index").ValueKind.Should().Be(JsonValueKind.Number, kind);
        problem.GetProperty("byte_offset").GetInt64().Should().BePositive(kind);
        problem.TryGetProperty("path", out _).Should().BeTrue();
        var jobId = problem.GetProperty("job_id").GetString();

        var status = await _server.Client.GetFromJsonAsync<JsonElement>($"/api/jobs/{jobId}/status/");
        status.GetProperty("status").GetString().Should().Be("FAILED");
        var error = status.GetProperty("error");
        error.GetProperty("kind").GetString().Should().Be("invalid_input");
        error.GetProperty("item_index").GetInt64().Should().Be(problem.GetProperty("item_index").GetInt64());

        using var offers = await _server.Client.GetAsync($"/api/jobs/{jobId}/offers/");
        offers.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var conflict = await offers.Content.ReadFromJsonAsync<JsonElement>();
        conflict.GetProperty("job_status").GetString().Should().Be("FAILED");
    }
}
