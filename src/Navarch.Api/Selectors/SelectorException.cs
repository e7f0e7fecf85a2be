namespace Navarch.Api.Selectors;

/// <summary>A label or field selector that does not parse; <see cref="Exception.Message"/> is upstream's text.</summary>
public sealed class SelectorException(string message) : Exception(message);
