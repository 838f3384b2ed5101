@chaos @serial @epic:chaos
Feature: Faults only a Service sees: hung pods, SIGTERM in place, CPU stress

  These faults act on a pod's processes from its node, so the API never hears of them: a Service learns of them
  only through the readiness probe (every second here, one miss, a one-second timeout), or not at all. Random choices
  print their seed in the fault's label; KUBEQUAKE_CHAOS_SEED repeats a run's choice.

  Each scenario runs alone (@serial): the open-loop load needs the machine's two cores to hold its rate.

  @needs:node-chaos
  Scenario: A hung pod stays in the Service until its readiness probe times out, and its requests time out meanwhile
    SIGSTOP leaves the process and its socket in place: the kernel still accepts connections for it, so requests
    sent to it wait until the client gives up (2 s here), and the pod stays a ready endpoint until a readiness probe
    times out (1 s) and kube-proxy follows.
    Given the demo backend runs 4 replicas behind the ClusterIP Service "web"
    And steady traffic of 50 requests per second to the ClusterIP of "web"
    When 50% of the pods of "web" are SIGSTOPped
    Then within 15 seconds the Service "web" has 2 ready endpoints
    And within 15 seconds the steady traffic recovers
    When the steady traffic runs for 3 more seconds
    And the faults are undone
    Then within 30 seconds the Service "web" has 4 ready endpoints
    When the steady traffic stops
    Then some of the steady traffic failed
    And every failed request of the steady traffic failed with timeout
    And the steady traffic's longest failure window was at most 10 seconds

  @needs:node-chaos
  Scenario: A draining backend SIGTERMed in place loses no request while the kubelet restarts it
    Given the demo backend runs 3 replicas behind the ClusterIP Service "web", draining for 4 seconds on shutdown
    And steady traffic of 50 requests per second to the ClusterIP of "web"
    When 1 random pod of "web" is SIGTERMed in place
    Then within 5 seconds the Service "web" has 2 ready endpoints
    And within 30 seconds the Service "web" has 3 ready endpoints
    When the steady traffic stops
    Then none of the steady traffic failed

  @needs:node-chaos
  Scenario: A backend whose pod burns CPU beyond its limit answers slower until the stress ends
    Given the manifest:
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: { name: web }
      spec:
        replicas: 1
        selector: { matchLabels: { app: web } }
        template:
          metadata: { labels: { app: web } }
          spec:
            containers:
              - name: web
                image: kubequake.local/demo:current
                args: [backend]
                ports: [{ containerPort: 8080 }]
                readinessProbe: { httpGet: { path: /readyz, port: 8080 }, periodSeconds: 1 }
                resources: { requests: { cpu: 10m }, limits: { cpu: 200m } }
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: web }
      spec:
        selector: { app: web }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    And steady traffic of 20 requests per second to the ClusterIP of "web"
    When the steady traffic runs for 5 more seconds
    And 1 pod of "web" burns 2 CPU cores for 15 seconds
    And the steady traffic stops
    Then none of the steady traffic failed
    And the steady traffic's p50 latency was at least 8 ms

  @needs:node-chaos
  Scenario: CoreDNS answering SERVFAIL for one Service fails the lookups of its clients, and only its own
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    And the demo backend runs 1 replica behind the ClusterIP Service "api"
    And steady traffic of 20 requests per second to "http://web"
    When CoreDNS answers SERVFAIL for the Service "web"
    Then within 5 seconds lookups of "web.{namespace}.svc.cluster.local." fail
    And within 5 seconds "api.{namespace}.svc.cluster.local." resolves to the ClusterIP of "api"
    When the steady traffic runs for 3 more seconds
    And the faults are undone
    Then within 5 seconds "web.{namespace}.svc.cluster.local." resolves to the ClusterIP of "web"
    And within 10 seconds the steady traffic recovers
    When the steady traffic stops
    Then some of the steady traffic failed
    And every failed request of the steady traffic failed with dns
