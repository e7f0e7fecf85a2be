using k8s;
using k8s.Models;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Schema;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds;

/// <summary>
/// Everything that differs between kinds, in one place (upstream's RESTStrategy plus its printers, field
/// label conversions and patch tags): defaulting, validation, table columns, field selectors, strategic-merge
/// keys, the scale subresource and delete semantics. Pure: no I/O. A new kind is a subclass of
/// <see cref="KindDefinition{T}"/> in its own folder under Kinds/, registered in <see cref="ResourceCatalog.Kinds"/>.
/// </summary>
public abstract class KindDefinition
{
    private static readonly string[] MetadataFields = ["metadata.name", "metadata.namespace"];

    protected KindDefinition(ResourceType type)
    {
        Type = type;
        type.Definition = this;
    }

    public ResourceType Type { get; }

    // ---- writes ----

    /// <summary>True when spec changes bump <c>metadata.generation</c> (kinds whose controllers echo observedGeneration).</summary>
    public virtual bool TracksGeneration => false;

    /// <summary>True when create keeps a client's status although the kind has a status subresource (nodes register with it).</summary>
    public virtual bool KeepsStatusOnCreate => false;

    /// <summary>Fills in upstream's defaults in place; applying twice gives the same object as applying once.</summary>
    public virtual void Default(IKubernetesObject<V1ObjectMeta> obj)
    {
    }

    /// <summary>Adds every problem of <paramref name="obj"/> (defaulted) as a new object. The default checks metadata only.</summary>
    public virtual void ValidateCreate(IKubernetesObject<V1ObjectMeta> obj, List<FieldError> errors) =>
        MetadataValidator.ValidateObjectMeta(obj.Metadata, Type.Namespaced, NameRules.DnsSubdomain, "metadata", errors);

    /// <summary>Adds the problems of an update beyond <see cref="ValidateCreate"/> (immutable fields and the like).</summary>
    public virtual void ValidateUpdate(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old, List<FieldError> errors)
    {
    }

    // ---- reads ----

    /// <summary>The table columns and rows of <c>kubectl get</c> (upstream's print handlers).</summary>
    internal virtual RowPrinter Printer => DefaultRowPrinter.Instance;

    /// <summary>
    /// The fields this kind can be selected by when it has its own field label conversion upstream; null for kinds
    /// that only take <c>metadata.name</c> and <c>metadata.namespace</c> (and answer with the generic error wording).
    /// </summary>
    public virtual IReadOnlyList<string>? SelectableFields => null;

    /// <summary>The selectable fields, <see cref="SelectableFields"/> or the two metadata ones.</summary>
    public IReadOnlyList<string> SupportedFields => SelectableFields ?? MetadataFields;

    /// <summary>Maps a legacy field name to the current one (pods' <c>spec.host</c>).</summary>
    public virtual string NormalizeField(string field) => field;

    /// <summary>The value of a selectable field other than the metadata ones, rendered as upstream does; null when unknown.</summary>
    public virtual string? FieldValue(IKubernetesObject<V1ObjectMeta> obj, string field) => null;

    // ---- patching ----

    /// <summary>Declares the strategic-merge and apply tags of this kind's own types (shared types are in <see cref="PatchMeta"/>).</summary>
    public virtual void DeclarePatchKeys(PatchKeyTable table)
    {
    }

    // ---- subresources ----

    /// <summary>Where the scale subresource reads and writes, for kinds that serve one; null otherwise.</summary>
    public virtual ScaleSubresource? Scale => null;

    // ---- deletion ----

    /// <summary>Upstream's ReturnDeletedObject: DELETE answers with the object instead of a Success Status.</summary>
    public virtual bool ReturnsDeletedObject => false;

    /// <summary>Seconds the object waits before it goes (graceful deletion); 0 deletes at once unless finalizers hold it.</summary>
    public virtual long GracePeriodSeconds(IKubernetesObject<V1ObjectMeta> obj, V1DeleteOptions options) => 0;

    /// <summary>True when nothing holds the object back from going: no metadata finalizers (and no kind-specific ones).</summary>
    public virtual bool IsFinalized(IKubernetesObject<V1ObjectMeta> obj) => (obj.Metadata.Finalizers?.Count ?? 0) == 0;

    /// <summary>Changes the object when its deletion starts (a namespace's phase becomes Terminating).</summary>
    public virtual void MarkTerminating(IKubernetesObject<V1ObjectMeta> obj)
    {
    }

    public override string ToString() => Type.ToString();
}

/// <summary>A <see cref="KindDefinition"/> over the kind's KubernetesClient model, with typed overrides.</summary>
public abstract class KindDefinition<T>(ResourceType type) : KindDefinition(type)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public sealed override void Default(IKubernetesObject<V1ObjectMeta> obj)
    {
        if (obj is T typed) Default(typed);
    }

    public sealed override void ValidateCreate(IKubernetesObject<V1ObjectMeta> obj, List<FieldError> errors)
    {
        if (obj is T typed) Validate(typed, errors);
        else base.ValidateCreate(obj, errors);
    }

    public sealed override void ValidateUpdate(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old, List<FieldError> errors)
    {
        if (obj is T typed && old is T oldTyped) ValidateUpdate(typed, oldTyped, errors);
    }

    public sealed override string? FieldValue(IKubernetesObject<V1ObjectMeta> obj, string field) =>
        obj is T typed ? FieldValue(typed, field) : null;

    protected virtual void Default(T obj)
    {
    }

    /// <summary>The kind's create validation; the default checks metadata only.</summary>
    protected virtual void Validate(T obj, List<FieldError> errors) => base.ValidateCreate(obj, errors);

    protected virtual void ValidateUpdate(T obj, T old, List<FieldError> errors)
    {
    }

    protected virtual string? FieldValue(T obj, string field) => null;

    /// <summary>Upstream's rendering of a boolean field value.</summary>
    protected static string Bool(bool? value) => value == true ? "true" : "false";

    /// <summary>Upstream's rendering of an integer field value.</summary>
    protected static string Int(long? value) => (value ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
