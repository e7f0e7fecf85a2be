namespace Navarch.Scheduler.Framework;

/// <summary>What a filter says of a node.</summary>
public enum StatusCode
{
    Success,
    /// <summary>Does not fit now, but might if pods were removed (preemption could help).</summary>
    Unschedulable,
    /// <summary>Does not fit, and removing pods would not change that (taints, affinity, ...).</summary>
    UnschedulableAndUnresolvable,
}

/// <summary>A plugin's verdict: success, or why not (the reasons kubectl shows, counted across nodes). Immutable.</summary>
public sealed class Status
{
    private Status(StatusCode code, IReadOnlyList<string> reasons)
    {
        Code = code;
        Reasons = reasons;
    }

    public static Status Success { get; } = new(StatusCode.Success, []);

    public StatusCode Code { get; }
    public IReadOnlyList<string> Reasons { get; }
    public bool IsSuccess => Code == StatusCode.Success;

    public static Status Unschedulable(params string[] reasons) => new(StatusCode.Unschedulable, reasons);
    public static Status Unresolvable(params string[] reasons) => new(StatusCode.UnschedulableAndUnresolvable, reasons);

    public override string ToString() => IsSuccess ? "Success" : $"{Code}: {string.Join(", ", Reasons)}";
}
