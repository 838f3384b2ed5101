@epic:chaos @needs:loadbalancer @needs:outside-clients
Feature: Steady traffic from outside the cluster, and load-balancer failover under it

  The same open-loop engine as in-cluster steady traffic (the demo image's prober, vegeta inside) runs outside the
  cluster: in a container on the kind network ("an outside client"), or in the host's own network namespace ("the
  host"). kubequake talks to its API directly, not through the API server, and reads the same per-request samples,
  so the chart, the failure windows and every check are those of in-cluster steady traffic.

  @chaos
  Scenario: Steady traffic from an outside client to a load-balancer address, with a pod killed under it
    Given the demo backend runs 3 replicas behind the load-balancer Service "web"
    And the Service "web" gets a load-balancer address within 10 seconds
    And within 20 seconds 10 requests from an outside client to the load-balancer address of "web" all succeed
    And steady traffic of 100 requests per second to the load-balancer address of "web" from an outside client
    When 1 pod of "web" is killed
    Then within 30 seconds the steady traffic recovers for 3 consecutive seconds
    When the steady traffic stops
    Then no request was answered by a pod after it was killed
    And the steady traffic's longest failure window, if any, was at most 2 seconds

  Scenario: Steady traffic from the host to a NodePort on one node
    Given the demo backend runs 2 replicas behind the NodePort Service "web"
    And within 20 seconds 5 requests from the host to the NodePort of "web" on node "kubequake-worker" all succeed
    And steady traffic of 100 requests per second to the NodePort of "web" on node "kubequake-worker" from the host
    When the steady traffic runs for 5 more seconds
    And the steady traffic stops
    Then none of the steady traffic failed
    And the steady traffic's p99 latency was at most 500 ms

  @chaos @serial @needs:nodes>=3 @needs:node-chaos
  Scenario: The MetalLB speaker on the announcing node is killed under outside load
    Given the demo backend runs 2 replicas behind the load-balancer Service "web"
    And the Service "web" gets a load-balancer address within 10 seconds
    And within 30 seconds the load balancer announces the address of "web" from one node
    And within 20 seconds 10 requests from an outside client to the load-balancer address of "web" all succeed
    And the node announcing the load-balancer address of "web" is remembered as "announcer"
    And steady traffic of 100 requests per second to the load-balancer address of "web" from an outside client
    When the MetalLB speaker on the node "{remembered:announcer}" is killed
    And the steady traffic runs for 15 more seconds
    Then within 60 seconds the steady traffic recovers for 3 consecutive seconds
    When the steady traffic stops
    Then the steady traffic's longest failure window, if any, was at most 10 seconds

  @chaos @serial @needs:nodes>=3 @needs:node-chaos
  Scenario: The announcing node is stopped under outside load, and the address moves to another node
    Given the demo backend runs 2 replicas behind the load-balancer Service "web"
    And the Service "web" gets a load-balancer address within 10 seconds
    And within 30 seconds the load balancer announces the address of "web" from one node
    And the node announcing the load-balancer address of "web" is remembered as "announcer"
    When the Deployment "web" is patched with:
      """
      spec:
        template:
          spec:
            affinity:
              nodeAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                  nodeSelectorTerms:
                    - matchExpressions:
                        - {key: kubernetes.io/hostname, operator: NotIn, values: ["{remembered:announcer}"]}
      """
    Then within 90 seconds the rollout of "web" completes
    And within 20 seconds 10 requests from an outside client to the load-balancer address of "web" all succeed
    Given steady traffic of 100 requests per second to the load-balancer address of "web" from an outside client
    When the node "{remembered:announcer}" is stopped
    Then within 90 seconds the steady traffic recovers for 3 consecutive seconds
    When the steady traffic stops
    Then the steady traffic's longest failure window, if any, was at most 30 seconds
    When the faults are undone
    Then within 240 seconds MetalLB is whole again

  @chaos @serial @needs:nodes>=3 @needs:node-chaos
  Scenario: The announcing node is paused under outside load: the address moves once its speaker is found dead
    Given the demo backend runs 2 replicas behind the load-balancer Service "web"
    And the Service "web" gets a load-balancer address within 10 seconds
    And within 30 seconds the load balancer announces the address of "web" from one node
    And the node announcing the load-balancer address of "web" is remembered as "announcer"
    When the Deployment "web" is patched with:
      """
      spec:
        template:
          spec:
            affinity:
              nodeAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                  nodeSelectorTerms:
                    - matchExpressions:
                        - {key: kubernetes.io/hostname, operator: NotIn, values: ["{remembered:announcer}"]}
      """
    Then within 90 seconds the rollout of "web" completes
    And within 20 seconds 10 requests from an outside client to the load-balancer address of "web" all succeed
    Given steady traffic of 100 requests per second to the load-balancer address of "web" from an outside client
    When the node "{remembered:announcer}" is paused
    Then within 90 seconds the steady traffic recovers for 3 consecutive seconds
    When the steady traffic stops
    Then some of the steady traffic failed
    And the steady traffic's longest failure window was at most 30 seconds
    When the faults are undone
    Then within 240 seconds MetalLB is whole again
