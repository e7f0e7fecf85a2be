namespace Navarch.Testing;

/// <summary>The objects of the seed walkthrough (shared/seed/WALKTHROUGH.md), as YAML.</summary>
public static class Seed
{
    public const string NginxRc = """
        apiVersion: v1
        kind: ReplicationController
        metadata:
          name: nginx-controller
        spec:
          replicas: 2
          selector:
            name: nginx
          template:
            metadata:
              labels:
                name: nginx
            spec:
              containers:
                - name: nginx
                  image: nginx
                  ports:
                    - containerPort: 80
        """;

    public const string ClusterIpService = """
        apiVersion: v1
        kind: Service
        metadata:
          name: nginx-service-clusterip
        spec:
          ports:
            - port: 8001
              targetPort: 80
              protocol: TCP
          selector:
            name: nginx
        """;

    public const string NodePortService = """
        apiVersion: v1
        kind: Service
        metadata:
          name: nginx-service-nodeport
        spec:
          ports:
            - port: 8000
              targetPort: 80
              protocol: TCP
          type: NodePort
          selector:
            name: nginx
        """;
}
