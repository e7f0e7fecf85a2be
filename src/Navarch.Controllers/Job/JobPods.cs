using System.Globalization;
using k8s.Models;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.Job;

/// <summary>The labels, annotations and env a Job's pods carry (upstream's batch/v1 constants), and reading them back.</summary>
public static class JobPods
{
    public const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";
    public const string JobNameLabel = "batch.kubernetes.io/job-name";
    public const string LegacyControllerUidLabel = "controller-uid";
    public const string LegacyJobNameLabel = "job-name";
    public const string CompletionIndex = "batch.kubernetes.io/job-completion-index";
    public const string CompletionIndexEnv = "JOB_COMPLETION_INDEX";

    public static bool IsIndexed(V1Job job) => job.Spec?.CompletionMode == "Indexed";

    /// <summary>
    /// A pod for <paramref name="job"/>: the template with the job's labels, and for an Indexed job the completion
    /// index as annotation, label, <c>JOB_COMPLETION_INDEX</c> (downward API) and hostname <c>&lt;job&gt;-&lt;index&gt;</c>.
    /// </summary>
    public static V1Pod NewPod(V1Job job, int? index)
    {
        var generateName = index is { } i ? $"{job.Metadata.Name}-{i}-" : $"{job.Metadata.Name}-";
        var pod = PodTemplate.NewPod(job.Spec?.Template, job.Metadata, ControllerRefs.For("batch/v1", "Job", job.Metadata), generateName);
        var labels = pod.Metadata.Labels ??= new Dictionary<string, string>();
        labels.TryAdd(ControllerUidLabel, job.Metadata.Uid);
        labels.TryAdd(JobNameLabel, job.Metadata.Name);
        labels.TryAdd(LegacyControllerUidLabel, job.Metadata.Uid);
        labels.TryAdd(LegacyJobNameLabel, job.Metadata.Name);
        if (index is not { } n) return pod;
        var text = n.ToString(CultureInfo.InvariantCulture);
        (pod.Metadata.Annotations ??= new Dictionary<string, string>())[CompletionIndex] = text;
        labels[CompletionIndex] = text;
        if (string.IsNullOrEmpty(pod.Spec.Hostname)) pod.Spec.Hostname = $"{job.Metadata.Name}-{text}";
        foreach (var c in (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? []))
        {
            if (c.Env?.Any(e => e.Name == CompletionIndexEnv) == true) continue;
            (c.Env ??= []).Add(new V1EnvVar
            {
                Name = CompletionIndexEnv,
                ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = $"metadata.annotations['{CompletionIndex}']" } },
            });
        }
        return pod;
    }

    /// <summary>The completion index a pod carries, if valid for <paramref name="completions"/>.</summary>
    public static int? IndexOf(V1Pod pod, int completions) =>
        pod.Metadata.Annotations?.TryGetValue(CompletionIndex, out var v) == true && int.TryParse(v, CultureInfo.InvariantCulture, out var i) && i >= 0 && i < completions ? i : null;

    /// <summary>Upstream's completedIndexes text: sorted indexes with runs as ranges, e.g. "0-2,4".</summary>
    public static string? FormatIndexes(IEnumerable<int> indexes)
    {
        var sorted = indexes.Distinct().Order().ToList();
        if (sorted.Count == 0) return null;
        var parts = new List<string>();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(j == i ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(",", parts);
    }

    /// <summary>Parses a completedIndexes text back (unreadable parts are skipped).</summary>
    public static IEnumerable<int> ParseIndexes(string? text)
    {
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split('-');
            if (!int.TryParse(range[0], CultureInfo.InvariantCulture, out var from)) continue;
            var to = range.Length > 1 && int.TryParse(range[1], CultureInfo.InvariantCulture, out var t) ? t : from;
            for (var i = from; i <= to; i++) yield return i;
        }
    }

    /// <summary>When the pod failed: its containers' latest finish, else its last condition change, else its creation.</summary>
    public static DateTime FinishedAt(V1Pod pod) =>
        pod.Status?.ContainerStatuses?.Select(c => c.State?.Terminated?.FinishedAt).Where(t => t is not null).Max()
        ?? pod.Status?.Conditions?.Select(c => c.LastTransitionTime).Where(t => t is not null).Max()
        ?? pod.Metadata.CreationTimestamp ?? DateTime.MinValue;
}
