namespace Navarch.Agent.Server;

/// <summary>
/// Copies a CRI log file to a client as <c>kubectl logs</c> expects it: just the messages (with their timestamps if
/// asked), the last <c>tailLines</c> records, nothing older than <c>since</c>, at most <c>limitBytes</c>; with
/// <c>follow</c> it keeps polling the file for new records until the client goes or the container stops running.
/// </summary>
public sealed class ContainerLogStreamer(TimeProvider time)
{
    private const int BlockSize = 64 * 1024;

    /// <summary>How often a followed file is checked for new records.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often, while following an idle file, the container is checked for having stopped.</summary>
    public TimeSpan RunningCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Writes the log at <paramref name="path"/> to <paramref name="output"/>. <paramref name="isRunning"/> is asked while
    /// following; once it says no, what is left is written and the copy ends. Returns when done; cancellation (the client
    /// went) ends it quietly.
    /// </summary>
    public async Task CopyAsync(string path, LogOptions options, Stream output, Func<CancellationToken, Task<bool>> isRunning, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, BlockSize, useAsync: true);
        file.Position = options.TailLines is { } tail ? await TailStartAsync(file, tail, cancellationToken) : 0;
        var reader = new RecordReader(file);
        var limit = new OutputLimit(output, options.LimitBytes);
        var lastRunningCheck = time.GetUtcNow();
        try
        {
            while (true)
            {
                var wrote = false;
                while (await reader.NextAsync(cancellationToken) is { } record)
                {
                    wrote = true;
                    if (!await WriteAsync(record, options, limit, cancellationToken)) { await output.FlushAsync(cancellationToken); return; }
                }
                await output.FlushAsync(cancellationToken);
                if (!options.Follow) return;
                if (!wrote && time.GetUtcNow() - lastRunningCheck >= RunningCheckInterval)
                {
                    lastRunningCheck = time.GetUtcNow();
                    if (!await isRunning(cancellationToken))
                    {
                        // The container is gone: whatever it wrote last is already in the file.
                        while (await reader.NextAsync(cancellationToken) is { } record)
                            if (!await WriteAsync(record, options, limit, cancellationToken)) break;
                        await output.FlushAsync(cancellationToken);
                        return;
                    }
                }
                await Task.Delay(PollInterval, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task<bool> WriteAsync(ReadOnlyMemory<byte> raw, LogOptions options, OutputLimit limit, CancellationToken ct)
    {
        var line = CriLogLine.Parse(raw);
        if (line is null) return true;
        if (options.Since is { } since && line.Time < since) return true;
        if (options.Timestamps && !await limit.WriteAsync(System.Text.Encoding.ASCII.GetBytes(line.TimeText + " "), ct)) return false;
        if (!await limit.WriteAsync(line.Message, ct)) return false;
        return line.Partial || await limit.WriteAsync("\n"u8.ToArray(), ct);
    }

    /// <summary>The offset where the last <paramref name="lines"/> records of the file start (0 if it has fewer).</summary>
    public static async Task<long> TailStartAsync(FileStream file, long lines, CancellationToken ct)
    {
        var length = file.Length;
        if (lines == 0) return length;
        var buffer = new byte[BlockSize];
        var found = 0L;
        var end = length;
        while (end > 0)
        {
            var start = Math.Max(0, end - BlockSize);
            var count = (int)(end - start);
            file.Position = start;
            await file.ReadExactlyAsync(buffer.AsMemory(0, count), ct);
            for (var i = count - 1; i >= 0; i--)
            {
                var at = start + i;
                // The newline that ends the last record does not start another one.
                if (buffer[i] != (byte)'\n' || at == length - 1) continue;
                if (++found == lines) return at + 1;
            }
            end = start;
        }
        return 0;
    }

    /// <summary>Reads newline-terminated records; an unterminated tail waits for the rest of the record.</summary>
    private sealed class RecordReader(FileStream file)
    {
        private byte[] _buffer = new byte[BlockSize];
        private int _start;
        private int _end;

        public async Task<ReadOnlyMemory<byte>?> NextAsync(CancellationToken ct)
        {
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (newline >= 0)
                {
                    var record = _buffer.AsMemory(_start, newline - _start).ToArray();
                    _start = newline + 1;
                    return record;
                }
                if (_start > 0)
                {
                    Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
                if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
                var n = await file.ReadAsync(_buffer.AsMemory(_end), ct);
                if (n == 0) return null;
                _end += n;
            }
        }
    }

    /// <summary>Writes until a byte budget is spent (upstream truncates mid-line at limitBytes).</summary>
    private sealed class OutputLimit(Stream output, long? limit)
    {
        private long _left = limit ?? long.MaxValue;

        public async Task<bool> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
        {
            if (_left <= 0) return false;
            var n = (int)Math.Min(data.Length, _left);
            await output.WriteAsync(data[..n], ct);
            _left -= n;
            return _left > 0;
        }
    }
}
