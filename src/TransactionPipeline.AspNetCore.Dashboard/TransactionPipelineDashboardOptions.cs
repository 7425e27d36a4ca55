namespace TransactionPipeline.AspNetCore.Dashboard;

/// <summary>Options of one dashboard mapped by <c>MapTransactionPipelineDashboard</c>.</summary>
public sealed class TransactionPipelineDashboardOptions
{
    /// <summary>Gets or sets a value indicating whether requests from other machines are answered without authorization.</summary>
    /// <remarks>
    /// <para>
    /// Off by default: the dashboard shows every job and can cancel and delete them, so it answers only requests from this
    /// machine (a loopback address, or the server's own address) with <c>403</c> for any other, unless its endpoints carry
    /// authorization metadata (<c>.RequireAuthorization(...)</c> on the builder that <c>MapTransactionPipelineDashboard</c>
    /// returns, or on a group around it), in which case the host's policy decides.
    /// </para>
    /// <para>
    /// Turn it on only when something the dashboard cannot see already guards it: an authorization fallback policy, a
    /// middleware of the host's own, or a proxy that admits only operators. Behind a reverse proxy on the same machine,
    /// use the forwarded-headers middleware so that the client's address, not the proxy's, is checked.
    /// </para>
    /// </remarks>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowRemoteRequests { get; set; }

    /// <summary>Gets or sets how many jobs one page of the jobs list shows.</summary>
    /// <remarks>The list reads one page at a time from the store, so a store with many jobs costs no more than one with few.</remarks>
    /// <value>The default value is 25; it must be between 1 and 500.</value>
    public int PageSize { get; set; } = 25;

    /// <summary>Gets or sets how often the jobs page reads its page of jobs again while it is visible.</summary>
    /// <remarks>A job's own page follows the job's event stream instead, and is updated as each event arrives.</remarks>
    /// <value>The default value is 2 seconds; it must be between 250 milliseconds and 10 minutes.</value>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Throws when an option is out of its range; the message names the option and its value.</summary>
    internal void Validate()
    {
        if (PageSize is < 1 or > 500)
        {
            throw new ArgumentOutOfRangeException(nameof(PageSize), PageSize, $"PageSize is {PageSize}; it must be between 1 and 500.");
        }

        if (RefreshInterval < TimeSpan.FromMilliseconds(250) || RefreshInterval > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(
                nameof(RefreshInterval), RefreshInterval, $"RefreshInterval is {RefreshInterval}; it must be between 250 milliseconds and 10 minutes.");
        }
    }
}
