using Navarch.Api.Resources;
using Navarch.Api.Selectors;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Watching;

namespace Navarch.ApiServer.Handlers;

/// <summary>Namespace, label and field selection of a list or watch request, checked once and applied per object.</summary>
public sealed class ObjectFilter
{
    private readonly ResourceType _rt;
    private readonly string? _namespace;
    private readonly LabelSelector _labels;
    private readonly FieldSelector _fields;

    public ObjectFilter(ResourceType rt, string? ns, string? labelSelector, string? fieldSelector)
    {
        _rt = rt;
        _namespace = rt.Namespaced ? ns : null;
        try
        {
            _labels = LabelSelector.Parse(labelSelector);
            _fields = FieldSelector.Parse(fieldSelector);
        }
        catch (SelectorException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
        foreach (var r in _fields.Requirements)
            if (!ObjectFields.IsSupported(rt, r.Field)) throw ApiException.BadRequest(ObjectFields.UnsupportedMessage(r.Field));
    }

    /// <summary>The key prefix all matches share (narrows a scan to one namespace).</summary>
    public string? Namespace => _namespace;

    public bool Matches(CachedObject o)
    {
        if (_namespace is not null && o.Namespace != _namespace) return false;
        if (!_labels.IsEverything && !_labels.Matches(o.Object.Metadata.Labels)) return false;
        return _fields.IsEverything || _fields.Matches(f => ObjectFields.GetValue(_rt, o.Object, f));
    }
}
