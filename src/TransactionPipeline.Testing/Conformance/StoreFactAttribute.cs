using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace TransactionPipeline.Testing.Conformance;

/// <summary>
/// Put on a store's suite class when its store needs a server that a machine may lack: while <see cref="SkipReason"/>
/// is not <see langword="null"/>, none of the class's <see cref="StoreFactAttribute"/> and <see cref="StoreTheoryAttribute"/>
/// tests runs, and the class is reported as one skipped test with that reason and the number of tests it holds.
/// </summary>
/// <remarks>
/// The suites' tests are declared once, on the abstract classes, so an attribute on a test method cannot know which
/// store runs it. <see cref="StoreFactAttribute"/> and <see cref="StoreTheoryAttribute"/> look at the derived class instead.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public abstract class StoreAvailabilityAttribute : Attribute
{
    /// <summary>Gets why the store cannot be tested here, or <see langword="null"/> when it can.</summary>
    public abstract string? SkipReason { get; }

    internal static string? SkipReasonOf(ITestMethod testMethod) =>
        testMethod.TestClass.Class.ToRuntimeType()?.GetCustomAttributes<StoreAvailabilityAttribute>(inherit: true)
            .Select(a => a.SkipReason)
            .FirstOrDefault(reason => reason is not null);

    /// <summary>The names of the class's store tests, in ordinal order: the first one stands for the class when it is skipped.</summary>
    internal static IReadOnlyList<string> StoreTestsOf(ITestMethod testMethod) =>
        testMethod.TestClass.Class.ToRuntimeType()?.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.IsDefined(typeof(StoreFactAttribute), inherit: true) || m.IsDefined(typeof(StoreTheoryAttribute), inherit: true))
            .Select(m => m.Name)
            .Order(StringComparer.Ordinal)
            .ToList() ?? [];

    /// <summary>The one skipped test that stands for a class whose store is unavailable, or nothing for its other tests.</summary>
    internal static IEnumerable<IXunitTestCase> Skipped(IMessageSink sink, ITestFrameworkDiscoveryOptions options, ITestMethod testMethod) =>
        StoreTestsOf(testMethod) is [var first, ..] && first == testMethod.Method.Name
            ? [new UnavailableStoreTestCase(sink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod)]
            : [];
}

/// <summary>A conformance fact: skipped when the derived suite's <see cref="StoreAvailabilityAttribute"/> says the store is unavailable.</summary>
[XunitTestCaseDiscoverer("TransactionPipeline.Testing.Conformance.StoreFactDiscoverer", "TransactionPipeline.Testing")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

/// <summary>A conformance theory: skipped as a whole when the derived suite's <see cref="StoreAvailabilityAttribute"/> says the store is unavailable.</summary>
[XunitTestCaseDiscoverer("TransactionPipeline.Testing.Conformance.StoreTheoryDiscoverer", "TransactionPipeline.Testing")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreTheoryAttribute : TheoryAttribute;

/// <summary>Discovers <see cref="StoreFactAttribute"/> tests.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    /// <inheritdoc/>
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        StoreAvailabilityAttribute.SkipReasonOf(testMethod) is null
            ? base.Discover(discoveryOptions, testMethod, factAttribute)
            : StoreAvailabilityAttribute.Skipped(DiagnosticMessageSink, discoveryOptions, testMethod);
}

/// <summary>Discovers <see cref="StoreTheoryAttribute"/> tests.</summary>
public sealed class StoreTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    /// <inheritdoc/>
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute) =>
        StoreAvailabilityAttribute.SkipReasonOf(testMethod) is null
            ? base.Discover(discoveryOptions, testMethod, theoryAttribute)
            : StoreAvailabilityAttribute.Skipped(DiagnosticMessageSink, discoveryOptions, testMethod);
}

/// <summary>A class of store tests whose store is unavailable on this machine: reported as one skipped test with the class's reason.</summary>
public sealed class UnavailableStoreTestCase : XunitTestCase
{
    /// <summary>Initializes a new instance of the <see cref="UnavailableStoreTestCase"/> class; for the runner's de-serializer only.</summary>
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public UnavailableStoreTestCase()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="UnavailableStoreTestCase"/> class.</summary>
    public UnavailableStoreTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay, TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
    }

    /// <inheritdoc/>
    protected override void Initialize()
    {
        base.Initialize();
        DisplayName = $"{TestMethod.TestClass.Class.Name} (all {StoreAvailabilityAttribute.StoreTestsOf(TestMethod).Count} tests)";
    }

    /// <inheritdoc/>
    protected override string GetSkipReason(IAttributeInfo factAttribute) =>
        StoreAvailabilityAttribute.SkipReasonOf(TestMethod) is { } reason
            ? $"{reason} None of the class's {StoreAvailabilityAttribute.StoreTestsOf(TestMethod).Count} tests ran."
            : "The store became available after discovery; run the tests again.";
}
