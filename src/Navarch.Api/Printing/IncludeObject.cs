namespace Navarch.Api.Printing;

/// <summary>What each Table row carries in <c>object</c> (the includeObject parameter).</summary>
public enum IncludeObject
{
    /// <summary>No object.</summary>
    None,

    /// <summary>A PartialObjectMetadata with the object's metadata (the default).</summary>
    Metadata,

    /// <summary>The whole object.</summary>
    Object,
}
