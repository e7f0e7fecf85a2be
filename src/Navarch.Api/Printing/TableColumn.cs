namespace Navarch.Api.Printing;

/// <summary>A Table column definition (meta.k8s.io/v1 TableColumnDefinition). Priority 0 columns show by default.</summary>
public sealed record TableColumn(string Name, string Type, string Format, string Description, int Priority = 0)
{
    public const string NameDescription =
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a "
        + "client to request the generation of an appropriate name automatically. Name is primarily intended for creation "
        + "idempotence and configuration definition. Cannot be updated. More info: "
        + "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

    public const string CreationTimestampDescription =
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed "
        + "to be set in happens-before order across separate operations. Clients may not set this value. It is represented "
        + "in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
        + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    public static TableColumn ObjectName { get; } = new("Name", "string", "name", NameDescription);

    public static TableColumn Age { get; } = new("Age", "string", "", CreationTimestampDescription);

    public static TableColumn Text(string name, string description, int priority = 0) => new(name, "string", "", description, priority);

    public static TableColumn Integer(string name, string description, int priority = 0) => new(name, "integer", "", description, priority);
}
