using Microsoft.Data.Sqlite;

namespace Navarch.Storage.Sqlite;

/// <summary>The one place where SQLite's failures become <see cref="StorageException"/>.</summary>
internal static class SqliteErrors
{
    /// <summary>Runs <paramref name="body"/>, translating database failures about <paramref name="key"/>.</summary>
    public static T Translate<T>(string key, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is not StorageException && ToStorage(e, key) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>The <see cref="StorageException"/> for <paramref name="e"/>, or null when it is not a storage failure
    /// (a cancellation, a programming error) and should propagate as it is.</summary>
    public static StorageException? ToStorage(Exception e, string key) => e switch
    {
        StorageException storage => storage,
        SqliteException sqlite => new StorageException(StorageErrorCode.Unavailable, key,
            $"The SQLite store failed ({sqlite.SqliteErrorCode}/{sqlite.SqliteExtendedErrorCode}): {sqlite.Message}", sqlite),
        IOException or UnauthorizedAccessException or ObjectDisposedException =>
            new StorageException(StorageErrorCode.Unavailable, key, $"The SQLite store is unavailable: {e.Message}", e),
        _ => null,
    };
}
