using System.Net;
using TransactionPipeline.AspNetCore.Webhooks;

namespace TransactionPipeline.AspNetCore.Tests.Webhooks;

public sealed class WebhookTargetGuardTests
{
    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("93.184.216.34", true)]
    [InlineData("172.32.0.1", true)]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946", true)]
    [InlineData("::127.0.0.1", false)]
    [InlineData("::10.0.0.1", false)]
    [InlineData("::93.184.216.34", true)]
    [InlineData("64:ff9b::127.0.0.1", false)]
    [InlineData("64:ff9b::192.168.0.1", false)]
    [InlineData("64:ff9b::93.184.216.34", true)]
    [InlineData("64:ff9b:1::5db8:d822", false)]
    [InlineData("2002:7f00:1::1", false)]
    [InlineData("2002:a9fe:a9fe::1", false)]
    [InlineData("2002:5db8:d822::1", true)]
    [InlineData("2001:0:5db8:d822::80ff:fffe", false)]
    [InlineData("2001:0:7f00:1::a247:27dd", false)]
    [InlineData("2001:0:5db8:d822::a247:27dd", true)]
    [InlineData("2001:db8::1", false)]
    [InlineData("100::1", false)]
    [InlineData("2001:2::1", false)]
    [InlineData("2001:10::1", false)]
    [InlineData("192.0.2.1", false)]
    [InlineData("198.51.100.7", false)]
    [InlineData("203.0.113.9", false)]
    public void IsPublic_Address_ClassifiesIt(string address, bool expected) =>
        WebhookTargetGuard.IsPublic(IPAddress.Parse(address)).Should().Be(expected);
}
