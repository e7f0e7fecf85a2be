namespace Navarch.Cri;

/// <summary>What kind of failure a container runtime reported; the pod sync decides from it whether to retry.</summary>
public enum RuntimeErrorCode
{
    /// <summary>The runtime failed in a way with no better code.</summary>
    Unknown,
    /// <summary>The sandbox, container or image does not exist.</summary>
    NotFound,
    /// <summary>A sandbox or container with that name already exists.</summary>
    AlreadyExists,
    /// <summary>The request was malformed or named something impossible.</summary>
    InvalidArgument,
    /// <summary>The object is not in a state that allows the call (e.g. start of a running container).</summary>
    FailedPrecondition,
    /// <summary>The call did not finish within its timeout.</summary>
    DeadlineExceeded,
    /// <summary>The runtime cannot be reached (socket missing, daemon down, connection refused).</summary>
    Unavailable,
    /// <summary>The runtime does not implement the call.</summary>
    Unimplemented,
    /// <summary>The runtime failed internally, or answered with a response that breaks the protocol.</summary>
    Internal,
    /// <summary>The caller cancelled the call.</summary>
    Cancelled,
}

/// <summary>
/// The one error type an <see cref="ICriRuntime"/> throws. Implementations translate their own failures
/// (gRPC status codes for <c>CriRuntime</c>) into it in one place; nothing else leaks.
/// </summary>
public sealed class RuntimeException : Exception
{
    /// <summary>Creates an error with a code, the runtime operation that failed, and a message.</summary>
    public RuntimeException(RuntimeErrorCode code, string operation, string message, Exception? inner = null)
        : base($"{operation}: {message}", inner)
    {
        Code = code;
        Operation = operation;
    }

    /// <summary>What kind of failure this is.</summary>
    public RuntimeErrorCode Code { get; }

    /// <summary>The CRI call that failed, e.g. <c>RunPodSandbox</c>.</summary>
    public string Operation { get; }
}
