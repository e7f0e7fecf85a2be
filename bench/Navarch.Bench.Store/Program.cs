using Navarch.Bench;
using Navarch.Storage.Sqlite;

// Durable creates from 50 concurrent callers: SqliteStore against two raw Microsoft.Data.Sqlite baselines
// with the same durability. Usage: Navarch.Bench.Store [seconds-per-phase] (default 5; whole run under ~30 s).
const int Workers = 50;
var phase = TimeSpan.FromSeconds(args.Length > 0 ? double.Parse(args[0]) : 5);
var value = new byte[1024];
Random.Shared.NextBytes(value);
var root = Directory.CreateTempSubdirectory("navarch-bench-store-").FullName;
try
{
    LoadResult locked, batched, store;
    await using (var raw = new RawSqlite(Path.Combine(root, "locked")))
        locked = await LoadRun.RunAsync("raw: commit per insert, shared connection under a lock", Workers, phase,
            (w, i) => raw.InsertLockedAsync($"/registry/pods/default/p{w}-{i}", value));

    await using (var raw = new RawSqlite(Path.Combine(root, "batched")))
    await using (var batcher = new RawSqlite.Batcher(raw))
        batched = await LoadRun.RunAsync("raw: one writer batching (group commit)", Workers, phase,
            (w, i) => batcher.InsertAsync($"/registry/pods/default/p{w}-{i}", value));

    await using (var sqliteStore = await SqliteStore.OpenAsync(Path.Combine(root, "store"), new SqliteStoreOptions(), null, CancellationToken.None))
        store = await LoadRun.RunAsync("SqliteStore.CreateAsync", Workers, phase,
            async (w, i) => await sqliteStore.CreateAsync($"/registry/pods/default/p{w}-{i}", value));

    Console.WriteLine($"{Workers} concurrent writers, {value.Length}-byte values, WAL + synchronous=FULL, {phase.TotalSeconds:0.#} s per phase");
    Console.WriteLine($"{"phase",-56} {"creates/s",10} {"p50 ms",8} {"p99 ms",8} {"vs locked",10} {"vs batched",10}");
    foreach (var r in new[] { locked, batched, store })
        Console.WriteLine($"{r.Name,-56} {r.PerSecond,10:0} {r.P50Ms,8:0.00} {r.P99Ms,8:0.00} {r.PerSecond / locked.PerSecond,9:0.00}x {r.PerSecond / batched.PerSecond,9:0.00}x");
}
finally
{
    Directory.Delete(root, recursive: true);
}
