namespace Navarch.Images;

/// <summary>An image could not be built, imported or listed; the message is one line fit for a user.</summary>
public sealed class ImageException(string message, Exception? inner = null) : Exception(message, inner);
