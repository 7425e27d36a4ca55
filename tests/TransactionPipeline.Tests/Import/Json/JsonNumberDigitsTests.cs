using System.Text;
using TransactionPipeline.Import.Json;

namespace TransactionPipeline.Tests.Import.Json;

public sealed class JsonNumberDigitsTests
{
    [Theory]
    [InlineData("0", 0, 0)]
    [InlineData("-0.000", 0, 0)]
    [InlineData("0e999999999999", 0, 0)]
    [InlineData("1", 1, 0)]
    [InlineData("1500.00", 4, 0)]
    [InlineData("-12.50", 2, 1)]
    [InlineData("0.05", 0, 2)]
    [InlineData("1.001", 1, 3)]
    [InlineData("1.000000000000000000000000000001", 1, 30)]
    [InlineData("1e-30", 0, 30)]
    [InlineData("12.5e1", 3, 0)]
    [InlineData("1.005E+1", 2, 2)]
    [InlineData("100e-2", 1, 0)]
    [InlineData("00012.3400", 2, 2)]
    [InlineData("9999999999999.99", 13, 2)]
    [InlineData("1e13", 14, 0)]
    [InlineData("1e99999999999999999999", 1_000_001, 0)]
    public void Count_WrittenNumber_GivesTheDigitsOfItsExactValue(string number, long integerDigits, long fractionDigits)
    {
        JsonNumberDigits.Count(Encoding.UTF8.GetBytes(number), out var integer, out var fraction);

        (integer, fraction).Should().Be((integerDigits, fractionDigits));
    }
}

public sealed class ExactAmountPipelineTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RunAsync_AmountRoundedByDecimalParsing_FailsInBothModes(bool storeTransactions)
    {
        await using var fixture = new Tests.Pipeline.PipelineFixture(options: o => o.StoreTransactions = storeTransactions);
        var items = Enumerable.Range(0, 500).Select(i => TestData.Item("1.25", "2024-01-01", true))
            .Append(TestData.Item("1.000000000000000000000000000001", "2024-01-02", true));

        var status = await fixture.RunAsync(TestData.Body(items));

        status.State.Should().Be(JobState.Failed);
        status.Error!.ItemIndex.Should().Be(500);
        status.Error.Message.Should().Contain("more than 2 decimal places");
    }
}
