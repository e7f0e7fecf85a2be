using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Tests.Fuzzing;

/// <summary>
/// One valid object of every kind the server serves, with most of the fields clients set: the material the fuzzer
/// mutates, so that every field gets a wrong type, a huge number or a deep value sooner or later.
/// </summary>
public static class ObjectTemplates
{
    /// <summary>A served resource: its API path prefix, whether it is namespaced, its subresources, one valid object.</summary>
    public sealed record Resource(string Prefix, string Plural, bool Namespaced, string[] Subresources, string Json)
    {
        public JsonObject Object(string name, string? ns)
        {
            var obj = JsonNode.Parse(Json.Replace("@META@", Meta, StringComparison.Ordinal))!.AsObject();
            var meta = obj["metadata"]!.AsObject();
            meta["name"] = name;
            if (ns is not null) meta["namespace"] = ns;
            if (ns is not null && obj["involvedObject"] is JsonObject involved) involved["namespace"] = ns; // an Event's must match
            return obj;
        }
    }

    private const string Meta = """
        "labels":{"app":"web","tier":"front"},"annotations":{"note":"x"},"finalizers":["example.com/f"]
        """;

    public static readonly Resource[] All =
    [
        new("/api/v1", "pods", true, ["status", "binding", "log", "exec", "attach", "portforward"], """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"n",@META@},
             "spec":{"containers":[{"name":"c","image":"nginx","command":["sh","-c"],"args":["sleep 1"],
               "ports":[{"name":"http","containerPort":80,"protocol":"TCP","hostPort":8080}],
               "env":[{"name":"A","value":"1"},{"name":"B","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
               "resources":{"limits":{"cpu":"100m","memory":"64Mi"},"requests":{"cpu":"50m"}},
               "livenessProbe":{"httpGet":{"path":"/","port":80},"initialDelaySeconds":1,"periodSeconds":5},
               "readinessProbe":{"tcpSocket":{"port":"http"}},
               "volumeMounts":[{"name":"v","mountPath":"/data","subPath":"s"}],
               "securityContext":{"runAsUser":1000,"privileged":false}}],
               "initContainers":[{"name":"i","image":"busybox"}],
               "volumes":[{"name":"v","emptyDir":{"medium":"Memory","sizeLimit":"1Mi"}},{"name":"h","hostPath":{"path":"/tmp","type":"Directory"}}],
               "restartPolicy":"Always","terminationGracePeriodSeconds":30,"activeDeadlineSeconds":100,
               "nodeSelector":{"disk":"ssd"},"hostNetwork":false,"priority":0,
               "tolerations":[{"key":"k","operator":"Equal","value":"v","effect":"NoExecute","tolerationSeconds":5}],
               "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
                 {"matchExpressions":[{"key":"zone","operator":"In","values":["a","b"]}]}]}}}},
             "status":{"phase":"Pending","conditions":[{"type":"Ready","status":"False","lastTransitionTime":"2026-12-07T10:00:00Z"}],
               "podIP":"10.244.0.5","startTime":"2026-12-07T10:00:00Z"}}
            """),
        new("/api/v1", "replicationcontrollers", true, ["status", "scale"], """
            {"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"n",@META@},
             "spec":{"replicas":2,"minReadySeconds":1,"selector":{"app":"web"},
               "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}},
             "status":{"replicas":0,"observedGeneration":1}}
            """),
        new("/api/v1", "services", true, ["status"], """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"n",@META@},
             "spec":{"type":"NodePort","selector":{"app":"web"},"sessionAffinity":"None","externalTrafficPolicy":"Cluster",
               "ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"},{"name":"b","port":81,"targetPort":"http"}]},
             "status":{"loadBalancer":{"ingress":[{"ip":"127.0.0.9"}]}}}
            """),
        new("/api/v1", "endpoints", true, [], """
            {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"n",@META@},
             "subsets":[{"addresses":[{"ip":"10.244.0.5","nodeName":"node-a","targetRef":{"kind":"Pod","name":"p"}}],
               "notReadyAddresses":[{"ip":"10.244.0.6"}],"ports":[{"name":"http","port":8080,"protocol":"TCP"}]}]}
            """),
        new("/api/v1", "nodes", false, ["status"], """
            {"apiVersion":"v1","kind":"Node","metadata":{"name":"n",@META@},
             "spec":{"podCIDR":"10.244.1.0/24","podCIDRs":["10.244.1.0/24"],"unschedulable":false,
               "taints":[{"key":"k","value":"v","effect":"NoSchedule"}]},
             "status":{"capacity":{"cpu":"2","memory":"1Gi","pods":"110"},"allocatable":{"cpu":"2"},
               "conditions":[{"type":"Ready","status":"True","lastHeartbeatTime":"2026-12-07T10:00:00Z"}],
               "addresses":[{"type":"InternalIP","address":"127.0.0.2"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":1}},
               "nodeInfo":{"kubeletVersion":"v1.33.0","osImage":"x","architecture":"amd64","operatingSystem":"linux",
                 "machineID":"","systemUUID":"","bootID":"","kernelVersion":"","containerRuntimeVersion":"","kubeProxyVersion":""}}}
            """),
        new("/api/v1", "namespaces", false, ["status", "finalize"], """
            {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n","labels":{"team":"a"}},"spec":{"finalizers":["kubernetes"]}}
            """),
        new("/api/v1", "events", true, [], """
            {"apiVersion":"v1","kind":"Event","metadata":{"name":"n",@META@},
             "involvedObject":{"kind":"Pod","name":"p","uid":"u"},"reason":"Started","message":"m",
             "type":"Normal","count":3,"firstTimestamp":"2026-12-07T10:00:00Z","lastTimestamp":"2026-12-07T10:00:01Z",
             "eventTime":"2026-12-07T10:00:01.000000Z","source":{"component":"kubelet","host":"node-a"},
             "reportingComponent":"kubelet","reportingInstance":"node-a","action":"Start"}
            """),
        new("/apis/coordination.k8s.io/v1", "leases", true, [], """
            {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"n",@META@},
             "spec":{"holderIdentity":"h","leaseDurationSeconds":40,"renewTime":"2026-12-07T10:00:01.000000Z",
               "acquireTime":"2026-12-07T10:00:00.000000Z","leaseTransitions":1}}
            """),
        new("/apis/discovery.k8s.io/v1", "endpointslices", true, [], """
            {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"n",@META@},"addressType":"IPv4",
             "endpoints":[{"addresses":["10.244.0.5"],"conditions":{"ready":true},"nodeName":"node-a",
               "targetRef":{"kind":"Pod","name":"p"}}],
             "ports":[{"name":"http","port":8080,"protocol":"TCP"}]}
            """),
    ];
}
