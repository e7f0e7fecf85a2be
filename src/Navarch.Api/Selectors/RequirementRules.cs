using Navarch.Api.Validation;

namespace Navarch.Api.Selectors;

/// <summary>Upstream's labels.NewRequirement checks, with its error paths ("key", "values[0][k]").</summary>
internal static class RequirementRules
{
    /// <summary>Builds a requirement or throws with upstream's aggregated message, prefixed as given.</summary>
    public static LabelRequirement Create(string key, SelectorOperator op, IReadOnlyList<string> values, string messagePrefix)
    {
        var errors = new List<FieldError>();
        if (KeyError(key, "key") is { } keyError)
        {
            errors.Add(keyError);
        }
        var valuesLiteral = GoText.StringSlice(values);
        switch (op)
        {
            case SelectorOperator.In or SelectorOperator.NotIn when values.Count == 0:
                errors.Add(FieldError.InvalidLiteral("values", valuesLiteral, "for 'in', 'notin' operators, values set can't be empty"));
                break;
            case SelectorOperator.Equals or SelectorOperator.DoubleEquals or SelectorOperator.NotEquals when values.Count != 1:
                errors.Add(FieldError.InvalidLiteral("values", valuesLiteral, "exact-match compatibility requires one single value"));
                break;
            case SelectorOperator.Exists or SelectorOperator.DoesNotExist when values.Count != 0:
                errors.Add(FieldError.InvalidLiteral("values", valuesLiteral, "values set must be empty for exists and does not exist"));
                break;
            case SelectorOperator.GreaterThan or SelectorOperator.LessThan:
                if (values.Count != 1)
                {
                    errors.Add(FieldError.InvalidLiteral("values", valuesLiteral, "for 'Gt', 'Lt' operators, exactly one value is required"));
                }
                for (var i = 0; i < values.Count; i++)
                {
                    if (!long.TryParse(values[i], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _))
                    {
                        errors.Add(FieldError.Invalid($"values[{i}]", values[i], "for 'Gt', 'Lt' operators, the value must be an integer"));
                    }
                }
                break;
        }
        for (var i = 0; i < values.Count; i++)
        {
            var msgs = ValueFormats.IsLabelValue(values[i]);
            if (msgs.Count > 0)
            {
                errors.Add(FieldError.Invalid($"values[{i}][{key}]", values[i], string.Join("; ", msgs)));
            }
        }
        if (errors.Count > 0)
        {
            throw new SelectorException(messagePrefix + Aggregate(errors));
        }
        return new LabelRequirement(key, op, values);
    }

    /// <summary>The key check the parser runs first, reported at path "&lt;nil&gt;" exactly as upstream does.</summary>
    public static FieldError? KeyError(string key, string path)
    {
        var msgs = ValueFormats.IsQualifiedName(key);
        return msgs.Count == 0 ? null : FieldError.Invalid(path, key, string.Join("; ", msgs));
    }

    /// <summary>Upstream's aggregate error text: one message alone, several as "[a, b]", duplicates dropped.</summary>
    public static string Aggregate(IEnumerable<FieldError> errors)
    {
        var messages = errors.Select(e => e.Message).Distinct().ToList();
        return messages.Count == 1 ? messages[0] : "[" + string.Join(", ", messages) + "]";
    }
}
