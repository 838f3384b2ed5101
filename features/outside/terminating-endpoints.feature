@epic:outside @needs:outside-clients
Feature: With only terminating endpoints left, traffic falls back to them
  A deleted pod's endpoint turns terminating at once; while the pod still serves (here a preStop sleep holds off its
  SIGTERM) and no ready endpoint is left, kube-proxy sends traffic to the terminating, serving endpoints rather than
  refusing it: any of them under the Cluster policies, only the node's own under Local.
  publishNotReadyAddresses keeps unready and terminating pods as ready endpoints.
  https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/#conditions

  @upstream:terminating-fallback-etp-cluster
  Scenario: Cluster policy: with no ready endpoint left, every node sends traffic to the terminating pod
    Given the demo backend runs 1 replica behind the NodePort Service "web", each pod serving 40 seconds after it is deleted
    When "web" is scaled to 0 replicas
    Then within 15 seconds the Service "web" has 0 ready endpoints
    And within 15 seconds the EndpointSlices of "web" have 1 serving terminating endpoint
    And within 20 seconds 10 requests from an outside client to the NodePort of "web" on every node all succeed
    And every request was answered by a terminating pod of "web"

  # Kubernetes' e2e test sends from pods to the NodePorts; here outside clients do, which is what "external" means
  # (kube-proxy treats a pod calling its own node's NodePort as neither internal nor external: kubernetes#123622).
  @upstream:terminating-fallback-etp-local
  Scenario: Local policy: only the node running the terminating pod answers, keeping the client's address
    Given the demo backend runs 1 replica behind the NodePort Service "web", each pod serving 40 seconds after it is deleted
    When the Service "web" switches to externalTrafficPolicy Local
    Then within 30 seconds 3 requests from an outside client to the NodePort of "web" on every node are answered only by the nodes running a ready pod of "web"
    When "web" is scaled to 0 replicas
    Then within 15 seconds the Service "web" has 0 ready endpoints
    And within 20 seconds 3 requests from an outside client to the NodePort of "web" on every node are answered only by the nodes running a terminating pod of "web"
    And every answer saw the sender's own address

  Scenario: publishNotReadyAddresses keeps an unready pod and a terminating pod reachable
    Given the demo backend runs 1 replica behind the ClusterIP Service "web" that publishes not-ready addresses, each pod serving 40 seconds after it is deleted
    When 1 pod of "web" turns unready
    Then within 15 seconds the EndpointSlices of "web" have 1 ready endpoint and 0 ready serving endpoints
    And within 15 seconds 10 requests from a client pod to the URL "http://web" all succeed
    When "web" is scaled to 0 replicas
    Then within 15 seconds the EndpointSlices of "web" have 1 ready terminating endpoint
    And within 15 seconds 10 requests from a client pod to the URL "http://web" all succeed
    And every request was answered by a terminating pod of "web"
