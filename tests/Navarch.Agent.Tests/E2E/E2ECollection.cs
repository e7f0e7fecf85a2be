namespace Navarch.Agent.Tests.E2E;

/// <summary>
/// The tests that run real containerds, images and network namespaces: one at a time, since on a 2-core
/// machine two at once turn their bounded waits into timeouts.
/// </summary>
[CollectionDefinition(Name)]
public sealed class E2ECollection
{
    public const string Name = "E2E (containerd, network namespaces)";
}
