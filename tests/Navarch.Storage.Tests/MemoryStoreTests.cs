using Navarch.Storage.Memory;

namespace Navarch.Storage.Tests;

public sealed class MemoryStoreTests : StoreConformanceTests
{
    protected override Task<IStore> OpenStoreAsync(int watchBufferSize = 1024) =>
        Task.FromResult<IStore>(new MemoryStore(watchBufferSize));
}
