using System.Reflection;

namespace TransactionPipeline.Tests.Jobs;

public sealed class JobEventTypesTests
{
    [Fact]
    public void All_ListsEveryEventTypeConstantOnceInFlowOrder()
    {
        var constants = typeof(JobEventTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!);

        JobEventTypes.All.Should().BeEquivalentTo(constants).And.OnlyHaveUniqueItems();
        JobEventTypes.All[0].Should().Be("JOB_CREATED");
        JobEventTypes.All.Where(JobEventTypes.IsTerminal).Should().Equal("JOB_COMPLETE", "FAILED");
    }
}
