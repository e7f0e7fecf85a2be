using System.Text.Json;

namespace Navarch.Integration.Tests.Durability;

/// <summary>
/// A client's watch of one namespace's pods that lives through server kills, as an informer does: it resumes from the last
/// resourceVersion it saw and, on 410 Gone, lists again. It keeps its view (name → resourceVersion) and records every
/// anomaly: an event for an object at or below the version already held (a repeat, or history going back) or a
/// resourceVersion below the previous event's.
/// </summary>
internal sealed class ResumingPodWatch : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly string _url;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly object _lock = new();
    private readonly Dictionary<string, long> _view = new();
    private readonly List<string> _anomalies = [];
    private long _last;

    public ResumingPodWatch(string serverUrl, string ns)
    {
        _url = $"{serverUrl}/api/v1/namespaces/{ns}/pods";
        _loop = Task.Run(RunAsync);
    }

    public int Relists { get; private set; }
    public int Resumes { get; private set; }
    public int Events { get; private set; }

    public IReadOnlyList<string> Anomalies { get { lock (_lock) return [.. _anomalies]; } }

    public Dictionary<string, long> View() { lock (_lock) return new(_view); }

    private async Task RunAsync()
    {
        var needList = true;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (needList)
                {
                    await ListAsync();
                    needList = false;
                }
                needList = await FollowAsync(); // true after a 410
                Resumes++;
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                // The server is down: try again shortly from the same place.
                try { await Task.Delay(100, _stop.Token); } catch (OperationCanceledException) { }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task ListAsync()
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync(_url, _stop.Token));
        lock (_lock)
        {
            _view.Clear();
            foreach (var item in doc.RootElement.GetProperty("items").EnumerateArray())
            {
                var meta = item.GetProperty("metadata");
                _view[meta.GetProperty("name").GetString()!] = long.Parse(meta.GetProperty("resourceVersion").GetString()!);
            }
            _last = long.Parse(doc.RootElement.GetProperty("metadata").GetProperty("resourceVersion").GetString()!);
            Relists++;
        }
    }

    /// <summary>Reads one watch from the last version until it ends; true when the server said 410 Gone.</summary>
    private async Task<bool> FollowAsync()
    {
        using var response = await _http.GetAsync($"{_url}?watch=1&allowWatchBookmarks=true&resourceVersion={_last}",
            HttpCompletionOption.ResponseHeadersRead, _stop.Token);
        if ((int)response.StatusCode == 410) return true;
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            if (line.Length == 0) continue;
            using var doc = JsonDocument.Parse(line);
            var type = doc.RootElement.GetProperty("type").GetString();
            var obj = doc.RootElement.GetProperty("object");
            if (type == "ERROR")
                return obj.TryGetProperty("code", out var code) && code.GetInt32() == 410;
            var meta = obj.GetProperty("metadata");
            var rv = long.Parse(meta.GetProperty("resourceVersion").GetString()!);
            if (type == "BOOKMARK")
            {
                lock (_lock) _last = Math.Max(_last, rv);
                continue;
            }
            Apply(type!, meta.GetProperty("name").GetString()!, rv);
        }
        return false;
    }

    private void Apply(string type, string name, long rv)
    {
        lock (_lock)
        {
            Events++;
            if (rv <= _last) _anomalies.Add($"{type} {name} at rv {rv} after rv {_last} was seen");
            if (_view.TryGetValue(name, out var held) && rv <= held) _anomalies.Add($"{type} {name} at rv {rv}, but rv {held} is already held");
            if (type == "DELETED") _view.Remove(name);
            else _view[name] = rv;
            _last = Math.Max(_last, rv);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _loop; } catch (OperationCanceledException) { }
        _http.Dispose();
        _stop.Dispose();
    }
}
