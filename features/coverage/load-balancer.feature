@needs:loadbalancer @needs:outside-clients
Feature: LoadBalancer Services, as Kubernetes' own e2e checks them, written with the step catalog
  The cluster's MetalLB (L2) gives LoadBalancer Services an address on the kind network; outside clients are
  containers next to the nodes.

  @upstream:same-port-tcp-udp-lb
  Scenario: A LoadBalancer Service serves TCP and UDP on the same port to clients inside the cluster
    Given the demo backend runs 1 replica behind the ClusterIP Service "web"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: dual }
      spec:
        type: LoadBalancer
        selector: { app: web }
        ports:
          - { name: tcp, port: 80, targetPort: 8080, protocol: TCP }
          - { name: udp, port: 80, targetPort: 8080, protocol: UDP }
      """
    Then the Service "dual" gets a load-balancer address within 10 seconds
    When a client pod sends 10 requests to "http://dual"
    Then every request succeeds
    When a client pod sends 10 requests to "udp://dual:80"
    Then every request succeeds

  # The three pods run on one node: with externalTrafficPolicy Local MetalLB (L2) brings the address to a node with an
  # endpoint and that node uses its own endpoints only, so all three must be there for "one pod" to mean affinity.
  @upstream:affinity-lb-cluster @upstream:affinity-lb-local
  Scenario: ClientIP affinity holds through the load-balancer address with either external traffic policy
    Given the manifest:
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: { name: sticky }
      spec:
        replicas: 3
        selector: { matchLabels: { app: sticky } }
        template:
          metadata: { labels: { app: sticky } }
          spec:
            nodeSelector: { kubernetes.io/hostname: kubequake-worker }
            containers: [{ name: backend, image: "kubequake.local/demo:current", args: [backend] }]
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: sticky }
      spec:
        type: LoadBalancer
        sessionAffinity: ClientIP
        selector: { app: sticky }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    And the Service "sticky" gets a load-balancer address within 10 seconds
    And within 20 seconds 5 requests from an outside client to the load-balancer address of "sticky" all succeed
    When an outside client sends 20 requests to the load-balancer address of "sticky"
    Then every request was answered by the same pod
    When the Service "sticky" switches to externalTrafficPolicy Local
    Then within 30 seconds 5 requests from an outside client to the load-balancer address of "sticky" all succeed
    When an outside client sends 20 requests to the load-balancer address of "sticky"
    Then every request was answered by the same pod

  @upstream:etp-local-lb
  Scenario: externalTrafficPolicy Local gets a healthCheckNodePort, keeps the client's address, and releases the health check when it becomes a ClusterIP Service
    Given the demo backend "web" runs 1 replica
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: web }
      spec:
        type: LoadBalancer
        externalTrafficPolicy: Local
        selector: { app: web }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    Then within 10 seconds the Service "web" has `spec.healthCheckNodePort` set
    And the Service "web" gets a load-balancer address within 10 seconds
    And within 30 seconds 5 requests from an outside client to the load-balancer address of "web" all succeed
    When an outside client sends 10 requests to the load-balancer address of "web"
    Then every request succeeds
    And every answer saw the sender's own address
    And within 30 seconds the health-check NodePort of "web" answers 200 only on the nodes running a ready pod of "web"
    # Upstream's cleanup: as a ClusterIP Service it must not leave the health check passing on the endpoint's node.
    When the Service "web" changes to type ClusterIP
    Then within 10 seconds the Service "web" has the fields of a ClusterIP Service
    And within 30 seconds the health-check NodePort that "web" had answers 200 on no node

  @upstream:etp-local-nodes-with-endpoints
  Scenario: externalTrafficPolicy Local: the single endpoint moves from worker to worker, and only its node passes the health check
    Upstream moves the endpoint over every schedulable node; here those are the two workers (the control-plane node
    is tainted NoSchedule). After each move the load-balancer address still answers and the health check says 200 on
    the endpoint's node only (503 on the others, the control-plane node included).
    Given the demo backend "web" runs 1 replica
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: web }
      spec:
        type: LoadBalancer
        externalTrafficPolicy: Local
        selector: { app: web }
        ports: [{ port: 8081, targetPort: 8080 }]
      """
    Then within 10 seconds the Service "web" has `spec.healthCheckNodePort` set
    And the Service "web" gets a load-balancer address within 10 seconds
    When the Deployment "web" is patched with:
      """
      spec:
        template:
          spec: { nodeName: kubequake-worker }
      """
    Then within 60 seconds the rollout of "web" completes
    And within 30 seconds the ready endpoints of "web" are exactly the ready pods of "web"
    And within 30 seconds 5 requests from an outside client to the load-balancer address of "web" all succeed
    And within 30 seconds the health-check NodePort of "web" answers 200 only on the nodes running a ready pod of "web"
    When the Deployment "web" is patched with:
      """
      spec:
        template:
          spec: { nodeName: kubequake-worker2 }
      """
    Then within 60 seconds the rollout of "web" completes
    And within 30 seconds the ready endpoints of "web" are exactly the ready pods of "web"
    And within 30 seconds 5 requests from an outside client to the load-balancer address of "web" all succeed
    And within 30 seconds the health-check NodePort of "web" answers 200 only on the nodes running a ready pod of "web"

  @upstream:lb-without-nodeports
  Scenario: A ClusterIP Service becomes a LoadBalancer without NodePorts and answers at its address; given NodePorts, it keeps the address and still answers
    Given the demo backend runs 1 replica behind the ClusterIP Service "web"
    When the Service "web" is patched with:
      """
      spec:
        type: LoadBalancer
        allocateLoadBalancerNodePorts: false
      """
    Then the Service "web" gets a load-balancer address within 10 seconds
    And within 10 seconds the Service "web" has `spec.ports[0].nodePort` not set
    And within 30 seconds 5 requests from an outside client to the load-balancer address of "web" all succeed
    When the Service "web" is patched with:
      """
      spec:
        allocateLoadBalancerNodePorts: true
      """
    Then within 10 seconds the Service "web" has `spec.ports[0].nodePort` set
    And the Service "web" still has the load-balancer address it got
    And within 30 seconds 5 requests from an outside client to the load-balancer address of "web" all succeed
    And within 30 seconds 5 requests from an outside client to the NodePort of "web" on every node all succeed

  @upstream:lb-type-and-ports
  Scenario: ClusterIP → NodePort → LoadBalancer, a new NodePort and a new port keep the address, 0 replicas stop it, 1 brings it back, then ClusterIP again
    "The previous NodePort" is the one the API server allocated (seen by the fields check) once the patch moved it
    to 31924, and after the move back to ClusterIP it is 31924; "the previous load-balancer address" is the one
    the Service got, released with the type.

    Given the demo backend runs 1 replica behind the ClusterIP Service "web"
    When the Service "web" changes to type NodePort
    Then within 10 seconds the Service "web" has the fields of a NodePort Service
    When the Service "web" changes to type LoadBalancer
    Then the Service "web" gets a load-balancer address within 10 seconds
    And within 10 seconds the Service "web" has the fields of a LoadBalancer Service
    And within 20 seconds 5 requests from an outside client to the load-balancer address of "web" all succeed
    And within 20 seconds 5 requests from an outside client to the NodePort of "web" on every node all succeed
    When the Service "web" is patched with:
      """
      spec:
        ports: [{ port: 80, nodePort: 31924 }]
      """
    Then within 10 seconds the Service "web" has `spec.ports[0].nodePort` equal to "31924"
    And within 20 seconds 5 requests from an outside client to the NodePort of "web" on every node all succeed
    And within 20 seconds none of 5 requests from an outside client to the previous NodePort of "web" on every node succeeds
    And within 20 seconds 5 requests from an outside client to the load-balancer address of "web" all succeed
    And the Service "web" still has the load-balancer address it got
    When the Service "web" is patched with:
      """
      spec:
        ports:
          - $patch: replace
          - { name: http, port: 81, targetPort: 8080, nodePort: 31924 }
      """
    Then within 10 seconds the Service "web" has `spec.ports[0].port` equal to "81"
    And within 20 seconds 5 requests from an outside client to the NodePort of "web" on every node all succeed
    And within 20 seconds 5 requests from an outside client to the load-balancer address of "web" all succeed
    And the Service "web" still has the load-balancer address it got
    When "web" is scaled to 0 replicas
    Then within 30 seconds none of 5 requests from an outside client to the NodePort of "web" on every node succeeds
    And within 30 seconds none of 5 requests from an outside client to the load-balancer address of "web" succeeds
    When "web" is scaled to 1 replica
    Then within 60 seconds 5 requests from an outside client to the NodePort of "web" on every node all succeed
    And within 60 seconds 5 requests from an outside client to the load-balancer address of "web" all succeed
    And the Service "web" still has the load-balancer address it got
    When the Service "web" changes to type ClusterIP
    Then within 10 seconds the Service "web" has the fields of a ClusterIP Service
    And within 30 seconds none of 5 requests from an outside client to the previous NodePort of "web" on every node succeeds
    And within 30 seconds none of 5 requests from an outside client to the previous load-balancer address of "web" succeeds

  # The client pod runs on a node without the backend: kube-proxy sends a pod's traffic for a load-balancer address
  # of its own cluster straight to the Service's endpoints, on any node and without SNAT, whatever the external policy.
  @upstream:etp-local-from-pods
  Scenario: A pod reaches an externalTrafficPolicy Local load-balancer address from a node without an endpoint, keeping its own address
    Given the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: backend, labels: { app: web } }
      spec:
        nodeName: kubequake-worker
        containers: [{ name: backend, image: "kubequake.local/demo:current", args: [backend] }]
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: web }
      spec:
        type: LoadBalancer
        externalTrafficPolicy: Local
        selector: { app: web }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    And the Service "web" gets a load-balancer address within 10 seconds
    And the client pod "far" is:
      """
      spec: { nodeName: kubequake-worker2 }
      """
    Then within 30 seconds 5 requests from the pod "far" to "http://{loadBalancerIP:web}" all succeed
    When the pod "far" sends 10 requests to "http://{loadBalancerIP:web}"
    Then every request succeeds
    And only pods of "web" answered
    And every answer saw the sending pod's IP as the client address

  @upstream:health-check-terminating
  Scenario: The health-check NodePort fails where the only endpoint is terminating, while that endpoint still serves its node's NodePort
    Given the demo backend runs 1 replica behind the NodePort Service "web", each pod serving 40 seconds after it is deleted
    When the Service "web" changes to type LoadBalancer
    And the Service "web" switches to externalTrafficPolicy Local
    Then within 30 seconds the health-check NodePort of "web" answers 200 only on the nodes running a ready pod of "web"
    When "web" is scaled to 0 replicas
    Then within 15 seconds the Service "web" has 0 ready endpoints
    And within 15 seconds the EndpointSlices of "web" have 1 serving terminating endpoint
    And within 20 seconds the health-check NodePort of "web" answers 200 only on the nodes running a ready pod of "web"
    And within 20 seconds 3 requests from an outside client to the NodePort of "web" on every node are answered only by the nodes running a terminating pod of "web"

  # MetalLB (L2) brings a Local-policy address to one node with an endpoint, and that node uses its own endpoints
  # only: the three pods run on one node so that there are three to spread over (a cloud load balancer would spread
  # over the nodes instead).
  @upstream:affinity-switch-lb-local
  Scenario: Session affinity switches off and back on through a load-balancer address with externalTrafficPolicy Local
    Given the manifest:
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: { name: sticky }
      spec:
        replicas: 3
        selector: { matchLabels: { app: sticky } }
        template:
          metadata: { labels: { app: sticky } }
          spec:
            nodeSelector: { kubernetes.io/hostname: kubequake-worker }
            containers: [{ name: backend, image: "kubequake.local/demo:current", args: [backend] }]
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: sticky }
      spec:
        type: LoadBalancer
        externalTrafficPolicy: Local
        sessionAffinity: ClientIP
        selector: { app: sticky }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    And the Service "sticky" gets a load-balancer address within 10 seconds
    Then within 30 seconds 20 requests from an outside client to the load-balancer address of "sticky" are all answered by the same pod
    When the Service "sticky" switches to session affinity None
    Then within 30 seconds 30 requests from an outside client to the load-balancer address of "sticky" are answered by at least 2 different pods
    When the Service "sticky" switches to session affinity ClientIP
    Then within 30 seconds 20 requests from an outside client to the load-balancer address of "sticky" are all answered by the same pod
