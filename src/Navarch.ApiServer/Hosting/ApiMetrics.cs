using Prometheus;

namespace Navarch.ApiServer.Hosting;

/// <summary>Request counts and latencies per verb and resource, under upstream's metric names.</summary>
public static class ApiMetrics
{
    private static int _limited;

    /// <summary>
    /// Keeps of prometheus-net's default metrics the process ones and the runtime's own meter (<c>system_runtime_*</c>: GC,
    /// JIT, thread pool), and drops its adapters' other subscriptions: every meter (HTTP client and server, Kestrel, routing)
    /// and the HTTP, socket, DNS and Kestrel event sources at Informational level, which raised events and recorded
    /// measurements on every request and every etcd call (each gRPC call is an HTTP/2 request), CPU that every create paid.
    /// Has effect before the first scrape of <c>/metrics</c>; once per process.
    /// </summary>
    public static void LimitDefaultMetrics()
    {
        if (Interlocked.Exchange(ref _limited, 1) != 0) return;
        Metrics.ConfigureMeterAdapter(o => o.InstrumentFilterPredicate = instrument => instrument.Meter.Name == "System.Runtime");
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true });
    }

    public static readonly Counter Requests = Metrics.CreateCounter(
        "apiserver_request_total", "Counter of apiserver requests broken out by verb, resource and HTTP response code.",
        new CounterConfiguration { LabelNames = ["verb", "group", "resource", "subresource", "code"] });

    public static readonly Histogram Latency = Metrics.CreateHistogram(
        "apiserver_request_duration_seconds", "Response latency distribution in seconds for each verb and resource.",
        new HistogramConfiguration
        {
            LabelNames = ["verb", "group", "resource", "subresource"],
            Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        });

    public static readonly Gauge Watchers = Metrics.CreateGauge(
        "apiserver_registered_watchers", "Number of currently registered watchers for a given resource.",
        new GaugeConfiguration { LabelNames = ["group", "resource"] });
}
