namespace Navarch.Lab.Config;

/// <summary>The cluster config is malformed or inconsistent; the message is one line naming the problem (as kube-up's checks).</summary>
public sealed class LabConfigException(string message) : Exception(message);
