using Navarch.Api.Validation;

namespace Navarch.Api.Tests.Validation;

[Trait("Category", "Unit")]
public class FieldErrorTests
{
    public static TheoryData<FieldError, string, string> Cases => new()
    {
        { FieldError.Required("spec.containers[0].name"), "spec.containers[0].name: Required value", "FieldValueRequired" },
        { FieldError.Required("metadata.name", "name or generateName is required"), "metadata.name: Required value: name or generateName is required", "FieldValueRequired" },
        { FieldError.Invalid("metadata.name", "Foo", "bad"), "metadata.name: Invalid value: \"Foo\": bad", "FieldValueInvalid" },
        { FieldError.Invalid("spec.ports[0].port", 70000, "must be between 1 and 65535, inclusive"), "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive", "FieldValueInvalid" },
        { FieldError.Duplicate("spec.containers[1].name", "a"), "spec.containers[1].name: Duplicate value: \"a\"", "FieldValueDuplicate" },
        { FieldError.NotSupported("spec.restartPolicy", "Sometimes", ["Always", "OnFailure", "Never"]), "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"", "FieldValueNotSupported" },
        { FieldError.Forbidden("metadata.namespace", "not allowed on this type"), "metadata.namespace: Forbidden: not allowed on this type", "FieldValueForbidden" },
        { FieldError.TooLong("metadata.annotations", 262144), "metadata.annotations: Too long: must have at most 262144 bytes", "FieldValueTooLong" },
        { FieldError.TooMany("endpoints", 1001, 1000), "endpoints: Too many: 1001: must have at most 1000 items", "FieldValueTooMany" },
        { FieldError.Invalid("x", "a\"b\n", "d"), "x: Invalid value: \"a\\\"b\\n\": d", "FieldValueInvalid" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Message_and_reason_match_upstream(FieldError error, string message, string reason)
    {
        Assert.Equal(message, error.Message);
        Assert.Equal(reason, error.Reason);
    }

    [Fact]
    public void InvalidMessage_has_one_or_bracketed_errors()
    {
        var one = new[] { FieldError.Required("spec.selector") };
        Assert.Equal("ReplicationController \"x\" is invalid: spec.selector: Required value", ObjectValidator.InvalidMessage("ReplicationController", "x", one));
        var two = new[] { FieldError.Required("a"), FieldError.Required("b"), FieldError.Required("a") };
        Assert.Equal("Pod \"p\" is invalid: [a: Required value, b: Required value]", ObjectValidator.InvalidMessage("Pod", "p", two));
        Assert.Equal("Lease.coordination.k8s.io \"l\" is invalid: a: Required value",
            ObjectValidator.InvalidMessage(Navarch.Api.Resources.ResourceCatalog.Leases, "l", one[..0].Append(FieldError.Required("a")).ToList()));
    }
}
