using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TransactionPipeline.AspNetCore.Dashboard.Tests;

/// <summary>
/// Who the dashboard answers, over real Kestrel: a client on another machine reaches it through a reverse proxy on this
/// one, which forwards the client's address (X-Forwarded-For, trusted from loopback as ASP.NET Core does by default).
/// </summary>
public sealed class DashboardAccessTests
{
    private const string RemoteClient = "203.0.113.7";

    public static TheoryData<string> Paths() =>
    [
        "/pipeline/", "/pipeline", "/pipeline/jobs/pipeline_20240101_001", "/pipeline/assets/dashboard.js",
        "/pipeline/data/jobs/pipeline_20240101_001/daily",
    ];

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Dashboard_RemoteClientWithoutAuthorization_403AndTheSameFromThisMachine_Answered(string path)
    {
        await using var server = await DashboardServer.StartAsync(middleware: BehindProxy);

        using var remote = await SendAsync(server, path, forwardedFor: RemoteClient);
        using var local = await SendAsync(server, path);

        remote.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        remote.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await remote.Content.ReadAsStringAsync()).Should().Contain("RequireAuthorization");
        local.StatusCode.Should().NotBe(HttpStatusCode.Forbidden, "a request from this machine is answered");
        ((int)local.StatusCode).Should().BeOneOf([200, 404], "the page, the file, or an unknown job's data");
    }

    [Fact]
    public async Task Dashboard_RequireAuthorization_RemoteClientIsChallengedThenServedOnceAuthenticated()
    {
        await using var server = await DashboardServer.StartAsync(
            services: s =>
            {
                s.AddAuthentication(UserHeaderHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, UserHeaderHandler>(UserHeaderHandler.SchemeName, null);
                s.AddAuthorization();
            },
            middleware: BehindProxy,
            dashboard: d => d.RequireAuthorization());

        using var anonymous = await SendAsync(server, "/pipeline/", forwardedFor: RemoteClient);
        using var signedIn = await SendAsync(server, "/pipeline/", forwardedFor: RemoteClient, user: "operator");
        using var localAnonymous = await SendAsync(server, "/pipeline/");

        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the host's policy decides, and it wants a user");
        signedIn.StatusCode.Should().Be(HttpStatusCode.OK, "an authorized operator may open it from anywhere");
        localAnonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "authorization applies on this machine too");
    }

    [Fact]
    public async Task Dashboard_AllowAnonymousOverAuthorization_StaysLocalOnly()
    {
        await using var server = await DashboardServer.StartAsync(
            services: s => s.AddAuthorization(),
            middleware: BehindProxy,
            dashboard: d => d.RequireAuthorization().AllowAnonymous());

        using var remote = await SendAsync(server, "/pipeline/", forwardedFor: RemoteClient);

        remote.StatusCode.Should().Be(HttpStatusCode.Forbidden, "AllowAnonymous opts out of the authorization that would have vouched for it");
    }

    [Fact]
    public async Task Dashboard_AllowRemoteRequests_RemoteClientServed()
    {
        await using var server = await DashboardServer.StartAsync(middleware: BehindProxy, options: o => o.AllowRemoteRequests = true);

        using var remote = await SendAsync(server, "/pipeline/", forwardedFor: RemoteClient);

        remote.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(null, "127.0.0.1", false)]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.2", "127.0.0.1", true)]
    [InlineData("::1", "::1", true)]
    [InlineData("::ffff:127.0.0.1", "::ffff:127.0.0.1", true)]
    [InlineData("192.0.2.2", "192.0.2.2", true)]
    [InlineData("::ffff:192.0.2.2", "192.0.2.2", true)]
    [InlineData(RemoteClient, "192.0.2.2", false)]
    [InlineData("10.1.2.3", "127.0.0.1", false)]
    [InlineData("fd00::5", "fd00::2", false)]
    public void IsLocal_RemoteAndLocalAddress_LoopbackOrTheServersOwnAddressOnly(string? remote, string local, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = remote is null ? null : IPAddress.Parse(remote);
        context.Connection.LocalIpAddress = IPAddress.Parse(local);

        DashboardAccess.IsLocal(context.Connection).Should().Be(expected);
    }

    [Fact]
    public async Task Dashboard_ClientThatSpoofsALoopbackForwardedAddress_IsRefused()
    {
        // A host that trusts forwarding headers from anyone (KnownProxies cleared, as container set-ups often do): the
        // client's own X-Forwarded-For: 127.0.0.1 becomes the request's address.
        await using var server = await DashboardServer.StartAsync(middleware: app =>
        {
            var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor };
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            app.UseForwardedHeaders(options);
        });

        using var spoofed = await SendAsync(server, "/pipeline/", forwardedFor: "127.0.0.1");

        spoofed.StatusCode.Should().Be(HttpStatusCode.Forbidden, "a relayed request is never taken for this machine's own");
    }

    [Theory]
    [InlineData("attacker.example", HttpStatusCode.Forbidden)]
    [InlineData("localhost", HttpStatusCode.OK)]
    public async Task Dashboard_LoopbackRequestForAnotherSitesName_IsRefused(string host, HttpStatusCode expected)
    {
        // DNS rebinding: a page of attacker.example whose name now points at 127.0.0.1 is same-origin with the dashboard.
        await using var server = await DashboardServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/pipeline/");
        request.Headers.Host = $"{host}:{server.Client.BaseAddress!.Port}";

        using var response = await server.Client.SendAsync(request);

        response.StatusCode.Should().Be(expected);
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST:5080", true)]
    [InlineData("app.localhost", true)]
    [InlineData("127.0.0.1:5080", true)]
    [InlineData("[::1]:5080", true)]
    [InlineData("attacker.example", false)]
    [InlineData("localhost.attacker.example", false)]
    [InlineData("", false)]
    public void IsLocalHost_HostHeader_LocalhostOrAnAddressOnly(string host, bool expected) =>
        DashboardAccess.IsLocalHost(new HostString(host)).Should().Be(expected);

    private static void BehindProxy(WebApplication app) =>
        app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor });

    private static async Task<HttpResponseMessage> SendAsync(DashboardServer server, string path, string? forwardedFor = null, string? user = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        if (user is not null)
        {
            request.Headers.Add(UserHeaderHandler.Header, user);
        }

        return await server.Client.SendAsync(request);
    }

    /// <summary>Signs in whoever an <c>X-User</c> header names: a stand-in for the host's real authentication.</summary>
    private sealed class UserHeaderHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "UserHeader";
        public const string Header = "X-User";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(Request.Headers[Header] is [{ Length: > 0 } name]
                ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], SchemeName)), SchemeName))
                : AuthenticateResult.NoResult());
    }
}
