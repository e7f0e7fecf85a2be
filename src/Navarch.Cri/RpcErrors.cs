using Grpc.Core;

namespace Navarch.Cri;

/// <summary>The one place where gRPC statuses from a CRI runtime become <see cref="RuntimeException"/>s.</summary>
public static class RpcErrors
{
    /// <summary>The runtime error code for a gRPC status code.</summary>
    public static RuntimeErrorCode CodeOf(StatusCode status) => status switch
    {
        StatusCode.NotFound => RuntimeErrorCode.NotFound,
        StatusCode.AlreadyExists => RuntimeErrorCode.AlreadyExists,
        StatusCode.InvalidArgument or StatusCode.OutOfRange => RuntimeErrorCode.InvalidArgument,
        StatusCode.FailedPrecondition => RuntimeErrorCode.FailedPrecondition,
        StatusCode.DeadlineExceeded => RuntimeErrorCode.DeadlineExceeded,
        StatusCode.Unavailable => RuntimeErrorCode.Unavailable,
        StatusCode.Unimplemented => RuntimeErrorCode.Unimplemented,
        StatusCode.Internal or StatusCode.DataLoss or StatusCode.ResourceExhausted => RuntimeErrorCode.Internal,
        StatusCode.Cancelled or StatusCode.Aborted => RuntimeErrorCode.Cancelled,
        _ => RuntimeErrorCode.Unknown,
    };

    /// <summary>The runtime error for a failed call of <paramref name="operation"/>.</summary>
    public static RuntimeException Translate(string operation, RpcException error)
    {
        var message = string.IsNullOrEmpty(error.Status.Detail) ? error.StatusCode.ToString() : error.Status.Detail;
        return new RuntimeException(CodeOf(error.StatusCode), operation, message, error);
    }

    /// <summary>The error for a response that breaks the protocol (e.g. an empty id).</summary>
    public static RuntimeException BadResponse(string operation, string what) =>
        new(RuntimeErrorCode.Internal, operation, $"runtime answered without {what}");
}
