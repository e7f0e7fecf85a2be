namespace Navarch.Api.Discovery;

/// <summary>The parameters upstream declares on each kind of operation, by the action that takes them.</summary>
public static class ApiParameters
{
    public static ApiParameter Name { get; } = Path("name", "name of the object");
    public static ApiParameter Namespace { get; } = Path("namespace", "object name and auth scope, such as for teams and projects");
    public static ApiParameter Pretty { get; } = Query("pretty", "string", "If 'true', then the output is pretty printed.");

    public static ApiParameter DryRun { get; } = Query("dryRun", "string",
        "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed");
    public static ApiParameter FieldManager { get; } = Query("fieldManager", "string",
        "fieldManager is a name associated with the actor or entity that is making these changes.");
    public static ApiParameter FieldValidation { get; } = Query("fieldValidation", "string",
        "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.");
    public static ApiParameter Force { get; } = Query("force", "boolean",
        "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people.");

    /// <summary>Parameters of create (POST) and replace (PUT).</summary>
    public static IReadOnlyList<ApiParameter> Write { get; } = [DryRun, FieldManager, FieldValidation];

    /// <summary>Parameters of PATCH; kubectl looks for <c>fieldValidation</c> here before create and apply.</summary>
    public static IReadOnlyList<ApiParameter> Patch { get; } = [DryRun, FieldManager, FieldValidation, Force];

    /// <summary>Parameters of list (and of watch through <c>watch=true</c>).</summary>
    public static IReadOnlyList<ApiParameter> List { get; } =
    [
        Query("allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."),
        Query("continue", "string", "The continue option should be set when retrieving more results from the server."),
        Query("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields."),
        Query("labelSelector", "string", "A selector to restrict the list of returned objects by their labels."),
        Query("limit", "integer", "limit is a maximum number of responses to return for a list call."),
        Query("resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a request may be served from."),
        Query("resourceVersionMatch", "string", "resourceVersionMatch determines how resourceVersion is applied to list calls."),
        Query("sendInitialEvents", "boolean", "sendInitialEvents=true may be set together with watch=true."),
        Query("timeoutSeconds", "integer", "Timeout for the list/watch call."),
        Query("watch", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications."),
    ];

    /// <summary>Parameters of delete.</summary>
    public static IReadOnlyList<ApiParameter> Delete { get; } =
    [
        DryRun,
        Query("gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted."),
        Query("orphanDependents", "boolean", "Deprecated: please use the PropagationPolicy."),
        Query("propagationPolicy", "string", "Whether and how garbage collection will be performed: Orphan, Background or Foreground."),
    ];

    /// <summary>Parameters of deletecollection: those of delete and of list.</summary>
    public static IReadOnlyList<ApiParameter> DeleteCollection { get; } = [.. Delete, .. List];

    /// <summary>Parameters of GET pods/{name}/log.</summary>
    public static IReadOnlyList<ApiParameter> Log { get; } =
    [
        Query("container", "string", "The container for which to stream logs."),
        Query("follow", "boolean", "Follow the log stream of the pod."),
        Query("limitBytes", "integer", "If set, the number of bytes to read from the server before terminating the log output."),
        Query("previous", "boolean", "Return previous terminated container logs."),
        Query("sinceSeconds", "integer", "A relative time in seconds before the current time from which to show logs."),
        Query("tailLines", "integer", "If set, the number of lines from the end of the logs to show."),
        Query("timestamps", "boolean", "If true, add an RFC3339 timestamp at the beginning of every line of log output."),
    ];

    /// <summary>Parameters of the pods/{name}/exec connect operations.</summary>
    public static IReadOnlyList<ApiParameter> Exec { get; } =
    [
        Query("command", "string", "Command is the remote command to execute. argv array."),
        Query("container", "string", "Container in which to execute the command."),
        Query("stderr", "boolean", "Redirect the standard error stream of the pod for this call."),
        Query("stdin", "boolean", "Redirect the standard input stream of the pod for this call."),
        Query("stdout", "boolean", "Redirect the standard output stream of the pod for this call."),
        Query("tty", "boolean", "TTY if true indicates that a tty will be allocated for the exec call."),
    ];

    /// <summary>Parameters of the pods/{name}/attach connect operations.</summary>
    public static IReadOnlyList<ApiParameter> Attach { get; } =
    [
        Query("container", "string", "The container in which to execute the command. Defaults to only container if there is only one container in the pod."),
        Query("stderr", "boolean", "Stderr if true indicates that stderr is to be redirected for the attach call. Defaults to true."),
        Query("stdin", "boolean", "Stdin if true, redirects the standard input stream of the pod for this call. Defaults to false."),
        Query("stdout", "boolean", "Stdout if true indicates that stdout is to be redirected for the attach call. Defaults to true."),
        Query("tty", "boolean", "TTY if true indicates that a tty will be allocated for the attach call. This is passed through the container runtime so the tty is allocated on the worker node by the container runtime. Defaults to false."),
    ];

    /// <summary>Parameters of the pods/{name}/portforward connect operations.</summary>
    public static IReadOnlyList<ApiParameter> PortForward { get; } =
    [
        Query("ports", "integer", "List of ports to forward Required when using WebSockets"),
    ];

    private static ApiParameter Path(string name, string description) => new(name, "path", "string", description, Required: true);

    private static ApiParameter Query(string name, string type, string description) => new(name, "query", type, description);
}
