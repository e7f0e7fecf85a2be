using k8s;
using k8s.Models;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Schema;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Namespace;

/// <summary>v1 Namespace: spec finalizers hold deletion back, and a deleted namespace turns Terminating.</summary>
public sealed class NamespaceKind() : KindDefinition<V1Namespace>(ResourceType.Create<V1Namespace>(
    "", "v1", "Namespace", "namespaces", namespaced: false, shortNames: ["ns"], subresources: ["status", "finalize"]))
{
    internal override RowPrinter Printer { get; } = new NamespaceRowPrinter();

    public override IReadOnlyList<string> SelectableFields { get; } = ["status.phase", "metadata.name"];

    protected override void Default(V1Namespace ns) => NamespaceDefaults.Apply(ns);

    protected override void Validate(V1Namespace ns, List<FieldError> errors) => NamespaceValidator.Validate(ns, errors);

    protected override string? FieldValue(V1Namespace ns, string field) => field == "status.phase" ? ns.Status?.Phase ?? "" : null;

    public override void DeclarePatchKeys(PatchKeyTable table) =>
        table.Add(typeof(V1NamespaceStatus), "conditions", PatchKey.MergeByType);

    public override bool IsFinalized(IKubernetesObject<V1ObjectMeta> obj) =>
        base.IsFinalized(obj) && (((V1Namespace)obj).Spec?.Finalizers?.Count ?? 0) == 0;

    public override void MarkTerminating(IKubernetesObject<V1ObjectMeta> obj)
    {
        var ns = (V1Namespace)obj;
        ns.Status ??= new V1NamespaceStatus();
        ns.Status.Phase = "Terminating";
    }
}
