namespace Navarch.Lab;

/// <summary>A lab operation that cannot go on; the message is one line meant for the user.</summary>
public sealed class LabException(string message, Exception? inner = null) : Exception(message, inner);
