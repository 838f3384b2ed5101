@epic:outside @needs:loadbalancer @needs:outside-clients
Feature: A LoadBalancer Service gets an address on the kind network and answers there
  kubequake's cluster runs MetalLB in L2 mode (built and installed by `cluster up`): its controller gives each
  LoadBalancer Service an address from a pool at the top of the kind Docker network, and one speaker answers ARP for
  it, so the host and containers next to the nodes reach it directly. kube-proxy does the rest on the node: the
  Service's endpoints, session affinity, and loadBalancerSourceRanges.

  Scenario: The address is assigned within 5 seconds and answers from the host and from an outside container
    Given the demo backend runs 2 replicas behind the load-balancer Service "web"
    Then the Service "web" gets a load-balancer address within 5 seconds
    And within 20 seconds 20 requests from the host to the load-balancer address of "web" all succeed
    When an outside client sends 40 requests to the load-balancer address of "web"
    Then every request succeeds
    And the requests were answered by at least 2 different pods

  Scenario: ClientIP affinity holds through the load-balancer address
    Given the demo backend runs 3 replicas behind the load-balancer Service "sticky" with ClientIP session affinity
    And the Service "sticky" gets a load-balancer address within 10 seconds
    And within 20 seconds 5 requests from an outside client to the load-balancer address of "sticky" all succeed
    When an outside client sends 30 requests to the load-balancer address of "sticky"
    Then every request was answered by the same pod

  # MetalLB withdraws an address whose Service has no ready endpoint (no speaker answers ARP for it), so clients
  # time out rather than being refused; a host that still has the old ARP entry may see a refusal from kube-proxy.
  Scenario: Scaled to 0 the address is withdrawn and answers nothing; back at 1 it is announced and answers again
    Given the demo backend runs 1 replica behind the load-balancer Service "web"
    And the Service "web" gets a load-balancer address within 10 seconds
    And within 20 seconds the load balancer announces the address of "web" from one node
    And within 20 seconds 10 requests from the host to the load-balancer address of "web" all succeed
    When the node announcing the load-balancer address of "web" is remembered as "speaker"
    Then within 20 seconds 10 requests from a hostNetwork client on node "{remembered:speaker}" to "http://{loadBalancerIP:web}" are answered by exactly the ready pods of "web"
    When "web" is scaled to 0 replicas
    Then within 20 seconds the load balancer announces the address of "web" from no node
    And within 20 seconds none of 10 requests from the host to the load-balancer address of "web" succeeds
    And within 20 seconds none of 10 requests from an outside client to the load-balancer address of "web" succeeds
    When "web" is scaled to 1 replica
    Then within 60 seconds the load balancer announces the address of "web" from one node
    And within 30 seconds 10 requests from the host to the load-balancer address of "web" all succeed
    And within 30 seconds 10 requests from an outside client to the load-balancer address of "web" all succeed

  Scenario: The type moves ClusterIP → NodePort → LoadBalancer → ClusterIP with the fields set and cleared
    Given the demo backend runs 1 replica behind the ClusterIP Service "web"
    Then within 5 seconds the Service "web" has the fields of a ClusterIP Service
    When the Service "web" changes to type NodePort
    Then within 10 seconds the Service "web" has the fields of a NodePort Service
    And within 20 seconds 5 requests from an outside client to the NodePort of "web" on every node all succeed
    When the Service "web" changes to type LoadBalancer
    Then the Service "web" gets a load-balancer address within 5 seconds
    And within 10 seconds the Service "web" has the fields of a LoadBalancer Service
    And within 20 seconds 5 requests from an outside client to the load-balancer address of "web" all succeed
    When the Service "web" changes to type ClusterIP
    Then within 10 seconds the Service "web" has the fields of a ClusterIP Service

  # Kubernetes' e2e test lets one exec pod in, then the other, then both; here the two sources are outside clients,
  # the ones source ranges are meant for.
  @upstream:lb-source-ranges
  Scenario: loadBalancerSourceRanges lets one outside client in and keeps another out, follows a change, and lets both in once cleared
    Given the demo backend runs 1 replica behind the load-balancer Service "web"
    And the Service "web" gets a load-balancer address within 10 seconds
    And within 20 seconds 5 requests from the outside client "alice" to the load-balancer address of "web" all succeed
    And within 20 seconds 5 requests from the outside client "bob" to the load-balancer address of "web" all succeed
    When the load balancer of "web" admits only the outside client "alice"
    Then within 20 seconds none of 5 requests from the outside client "bob" to the load-balancer address of "web" succeeds
    And within 20 seconds 10 requests from the outside client "alice" to the load-balancer address of "web" all succeed
    When the load balancer of "web" admits only the outside client "bob"
    Then within 20 seconds none of 5 requests from the outside client "alice" to the load-balancer address of "web" succeeds
    And within 20 seconds 10 requests from the outside client "bob" to the load-balancer address of "web" all succeed
    When the Service "web" is patched with:
      """
      spec:
        loadBalancerSourceRanges: null
      """
    Then within 10 seconds the Service "web" has `spec.loadBalancerSourceRanges` not set
    And within 20 seconds 10 requests from the outside client "alice" to the load-balancer address of "web" all succeed
    And within 20 seconds 10 requests from the outside client "bob" to the load-balancer address of "web" all succeed
