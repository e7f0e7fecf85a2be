namespace Navarch.ApiServer.Authentication;

/// <summary>Who sent a request, as upstream's <c>user.Info</c>: name, uid, groups and extra fields.</summary>
public sealed record UserInfo(string Name, IReadOnlyList<string> Groups, string Uid = "", IReadOnlyDictionary<string, IReadOnlyList<string>>? Extra = null)
{
    public const string Anonymous = "system:anonymous";
    public const string AllUnauthenticated = "system:unauthenticated";
    public const string AllAuthenticated = "system:authenticated";
    public const string Masters = "system:masters";

    /// <summary>The identity of requests on the insecure port, which upstream let do anything.</summary>
    public static UserInfo InsecurePort { get; } = new("system:unsecured", [Masters, AllAuthenticated]);

    public static UserInfo AnonymousUser { get; } = new(Anonymous, [AllUnauthenticated]);

    public bool InGroup(string group) => Groups.Contains(group);

    /// <summary>Adds <c>system:authenticated</c> to a user an authenticator vouched for, as upstream's group adder does.</summary>
    public UserInfo WithAuthenticatedGroup() =>
        Name == Anonymous || Groups.Contains(AllAuthenticated) ? this : this with { Groups = [.. Groups, AllAuthenticated] };
}
