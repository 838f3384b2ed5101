@chaos @epic:chaos
Feature: Services under kube-proxy restarts, conntrack flushes and node drains

  Faults of a node's Service plumbing, each @serial (it reaches beyond the scenario's namespace) and undone at the
  end of the scenario. The client of the steady traffic is placed on a node the fault spares: a fault on the node of
  the scenario's own client is refused before it starts.

  @serial @needs:node-chaos
  Scenario: Restarting kube-proxy on every node keeps existing Services serving, and a new Service is programmed at once
    kube-proxy's pods are deleted and their DaemonSet recreates them; the iptables rules stay meanwhile, so the
    steady traffic sees nothing (kept to an error budget of 1% while the fault is active, which it holds). The new
    kube-proxy resyncs every rule from the API, so a Service created right after is answered at once.
    Measured here over 3 runs: 0 of 431, 402 and 536 requests failed; a new kube-proxy was Ready on every node
    3.8, 2.8 and 4.8 s after the old pods were deleted; the new Service answered 0.3, 1.3 and 1.4 s after it was applied.
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    And steady traffic of 50 requests per second to the ClusterIP of "web"
    And the steady traffic may fail at most 1% while faults are active
    When kube-proxy is restarted on every node
    And the manifest, without waiting for its Services:
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: late
      spec:
        selector: {app: web}
        ports: [{port: 80, targetPort: 8080}]
      """
    Then within 30 seconds 20 requests to "http://late" are answered by exactly the ready pods of "web"
    When the steady traffic runs for 3 more seconds
    And the steady traffic stops
    Then none of the steady traffic failed

  @serial @needs:nodes>=3 @needs:node-chaos
  Scenario: Flushing the conntrack table of the client's node breaks neither new connections nor ClientIP affinity
    The flush deletes every tracked flow of the node, NAT state included. Each request of the steady traffic is a new
    connection, tracked afresh; one in flight at the flush could lose its NAT state, but at these rates none was.
    ClientIP affinity lives in kube-proxy's `recent` match, not in conntrack, so the client stays on its pod.
    Long-lived connections (which would lose their NAT state mid-stream) are not measured: the prober opens a new
    connection per request. Measured here over 3 runs: 0 of 468, 470 and 547 requests failed, every one answered by
    the same pod; the flush took the node from 2632 tracked entries to 10, 3315 to 26, and 30269 to 3640 (others'
    load was running then).
    Given the demo backend runs 3 replicas behind the ClusterIP Service "sticky" with ClientIP session affinity
    And steady traffic of 50 requests per second to the ClusterIP of "sticky" from a client pod on node "kubequake-worker"
    When the steady traffic runs for 3 more seconds
    And the conntrack table of node "kubequake-worker" is flushed
    And the steady traffic runs for 5 more seconds
    And the steady traffic stops
    Then none of the steady traffic failed
    And every request was answered by the same pod

  @serial @needs:nodes>=3 @needs:node-chaos
  Scenario: A backend with a PodDisruptionBudget keeps serving while a worker is drained
    The drain cordons the worker and evicts its pods through the Eviction API: the budget (3 of 4 available) lets one
    of the worker's two pods go at once and holds the second back until a replacement is ready on the other worker.
    An evicted pod stops at once (no drain delay here), so requests kube-proxy still sends it before its endpoint is
    removed everywhere fail (refused, or timed out once the pod's address is gone). Measured here over 5 runs: 22 of
    527, 5 of 497, 5 of 564, 44 of 543 and 22 of 478 requests failed (0.9% to 8.1%), the longest failure window 2.5,
    0.1, 0.3, 5.9 and 4.6 s (the client's kube-proxy is slow to drop the evicted endpoints on a busy machine); the
    budget held the second eviction back 3.6, 2.3, 2.3, 1.4 and 2.4 s. The bounds below leave room for a busy machine.
    Given the demo backend runs 4 replicas spread over the nodes behind the ClusterIP Service "web"
    And the manifest:
      """
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata:
        name: web
      spec:
        minAvailable: 3
        selector: {matchLabels: {app: web}}
      """
    And steady traffic of 50 requests per second to the ClusterIP of "web" from a client pod on node "kubequake-control-plane"
    When a worker without clients is remembered as "drained"
    And the node "{remembered:drained}" is drained
    Then within 60 seconds the EndpointSlices of "web" have 0 ready endpoints on node "{remembered:drained}" and 4 ready endpoints
    When the steady traffic runs for 3 more seconds
    And the steady traffic stops
    Then at most 15% of the steady traffic failed
    And the steady traffic's longest failure window, if any, was at most 10 seconds
