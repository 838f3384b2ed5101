@chaos @epic:chaos
Feature: Services under node and cluster-component faults

  These faults reach beyond a scenario's namespace, so each scenario is @serial: it runs alone, and the next one
  starts only when the cluster is whole again (every node Ready, kube-proxy on every node, CoreDNS at full strength).
  Every fault is undone at the end of the scenario, after a failed step and on Ctrl-C too.

  @serial @needs:nodes>=3 @needs:node-chaos
  Scenario: Losing a worker takes away only its endpoints, once the node controller notices
    A stopped node does not tell anyone: the node lifecycle controller marks it NotReady after its grace period (about
    40-50 s), and only then are its pods' endpoints made not ready. Until then, requests that kube-proxy sends to the
    lost node's pods fail (here: time out, half the traffic). The window is measured and charted; the other worker's
    pods answer throughout.
    Given the demo backend runs 4 replicas spread over the nodes behind the ClusterIP Service "web"
    And steady traffic of 50 requests per second to the ClusterIP of "web" from a client pod on node "kubequake-worker"
    When the node "kubequake-worker2" is stopped
    Then within 120 seconds the steady traffic recovers for 5 consecutive seconds
    And within 5 seconds the Service "web" has 2 ready endpoints
    When the steady traffic stops
    Then some of the steady traffic failed
    And the steady traffic's longest failure window was at most 90 seconds

  @serial @needs:nodes>=3 @needs:node-chaos
  Scenario: A worker cut off from the other nodes for a few seconds fails its share, and traffic recovers when it is back
    Dropping everything between a worker and the other nodes (iptables in the node's own network namespace) makes
    the requests that kube-proxy sends to that worker's pods time out; the node controller has no time to notice.
    Given the demo backend runs 4 replicas spread over the nodes behind the ClusterIP Service "web"
    And steady traffic of 50 requests per second to the ClusterIP of "web" from a client pod on node "kubequake-worker"
    When the node "kubequake-worker2" is cut off from the other nodes
    And the steady traffic runs for 5 more seconds
    And the faults are undone
    Then within 30 seconds the steady traffic recovers
    When the steady traffic stops
    Then some of the steady traffic failed
    And at most 60% of the steady traffic failed

  @serial @needs:node-chaos @needs:proxy-mode=iptables
  Scenario: With kube-proxy gone, existing Services keep serving and a new Service waits for it
    kube-proxy does not remove its iptables rules when it stops, so existing Services keep working. A Service created
    meanwhile has a ClusterIP but no rules: its requests are refused (the network seal rejects them at the host), until
    kube-proxy is back and programs it.
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    And steady traffic of 50 requests per second to "http://web"
    When kube-proxy is stopped on every node
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
    And a client pod sends 3 requests to "http://late"
    Then every request is refused
    When the faults are undone
    Then within 60 seconds 20 requests to "http://late" are answered by exactly the ready pods of "web"
    When the steady traffic stops
    Then none of the steady traffic failed

  @serial @needs:node-chaos @needs:proxy-mode=nftables
  Scenario: With kube-proxy in nftables mode gone, existing Services keep serving and a new Service's requests are dropped
    kube-proxy does not remove its nftables table when it stops, so existing Services keep working. A Service created
    meanwhile has a ClusterIP but no rules, and nftables mode drops traffic to ClusterIPs it does not know ("Drop
    traffic to unallocated ClusterIPs" in its table; iptables mode lets it through to be refused by the seal): its
    requests time out, until kube-proxy is back and programs it. Found by the first full run on nftables mode.
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    And steady traffic of 50 requests per second to "http://web"
    When kube-proxy is stopped on every node
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
    And a client pod sends 3 requests to "http://late"
    Then every request times out
    When the faults are undone
    Then within 60 seconds 20 requests to "http://late" are answered by exactly the ready pods of "web"
    When the steady traffic stops
    Then none of the steady traffic failed

  @serial @needs:node-chaos
  Scenario: During a CoreDNS outage requests by name fail with DNS errors, and come back once CoreDNS is back
    Nothing caches names between the client and CoreDNS here (the prober resolves every request with Go's own
    resolver, and the cluster runs no node-local cache), so every request by name needs CoreDNS: while it is down,
    requests by name fail, all of them as dns (the lookup fails or times out; no connection is ever attempted),
    and they succeed again once CoreDNS answers. Recovery is measured from the moment the scale-up was accepted.
    Measured: 662 of 1340 requests failed, all 662 as dns; 3 clean seconds began 2.3 s after the scale-up.
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    And steady traffic of 50 requests per second to "http://web"
    When CoreDNS is down
    Then within 30 seconds lookups of "web" fail
    When the steady traffic runs for 5 more seconds
    And the faults are undone
    Then within 60 seconds the steady traffic recovers for 3 consecutive seconds
    And within 60 seconds "web" resolves to the ClusterIP of "web"
    When the steady traffic stops
    Then some of the steady traffic failed
    And every failed request of the steady traffic failed with dns

  @serial @needs:node-chaos
  Scenario: During a CoreDNS outage traffic to a ClusterIP needs no lookup and keeps working
    A client that already has the address (here: the ClusterIP, as a client that resolved once) does not ask CoreDNS
    again, so the outage cannot touch it: kube-proxy's rules for the Service stay. New lookups fail meanwhile.
    Measured: 0 of 881 requests failed.
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    And steady traffic of 50 requests per second to the ClusterIP of "web"
    When CoreDNS is down
    Then within 30 seconds lookups of "web" fail
    When the faults are undone
    Then within 60 seconds "web" resolves to the ClusterIP of "web"
    When the steady traffic stops
    Then none of the steady traffic failed

  @serial @needs:node-chaos
  Scenario: With the API server down for 20 seconds, traffic through existing Services keeps succeeding
    The data plane does not need the control plane: kube-proxy's rules and CoreDNS's cache keep serving. The control
    plane itself takes longer to heal: kube-controller-manager and kube-scheduler cannot renew their leader leases
    while the API server is away (their deadline is 10 s), so they exit, and the kubelet restarts them after a
    back-off that reaches minutes when they have crashed often. The step ends only when both lead again.
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    And steady traffic of 50 requests per second to "http://web"
    When the API server is down for 20 seconds
    Then within 30 seconds the steady traffic recovers for 5 consecutive seconds
    When the steady traffic stops
    Then none of the steady traffic failed
