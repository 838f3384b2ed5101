@needs:nodes>=3
Feature: Networking Granular Checks: Services, as Kubernetes' own e2e dials them, written with the step catalog
  Upstream (test/e2e/network/networking.go) runs one endpoint pod per schedulable node (here: the two workers), puts
  a NodePort Service with an http port (TCP 80) and a udp port (UDP 90) in front of them, and dials it from a test
  pod, from a hostNetwork pod (node-Service) and from an endpoint pod itself (endpoint-Service), on the ClusterIP and
  on a node's NodePort; each dial must be answered by every endpoint and by nothing else. Here the demo backend
  answers TCP and UDP on one port with its pod name, so "exactly the ready pods" is that check. The NodePorts are
  Kubernetes' own choice ({nodePort:…}) unless a deleted Service's must be dialled, so scenarios running side by side
  do not collide. The scenarios name the two workers and the control plane, hence @needs:nodes>=3.

  @upstream:granular-pod-service-http @upstream:granular-pod-service-udp @upstream:granular-node-service-http
  @upstream:granular-node-service-udp @upstream:granular-endpoint-service-http @upstream:granular-endpoint-service-udp
  @upstream:granular-nodeport-udp-basic
  Scenario: A pod, a node and an endpoint reach every endpoint through the ClusterIP and a NodePort, over TCP and UDP
    Given the demo backend runs 2 replicas spread over the nodes behind the ClusterIP Service "netserver"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: node-port }
      spec:
        type: NodePort
        selector: { app: netserver }
        ports:
          - { name: http, port: 80, targetPort: 8080, protocol: TCP }
          - { name: udp, port: 90, targetPort: 8080, protocol: UDP }
      """
    And the client pod "test-container" is:
      """
      spec: {}
      """
    Then within 30 seconds 10 requests from the pod "test-container" to "http://{clusterIP:node-port}:80" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from the pod "test-container" to "udp://{clusterIP:node-port}:90" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from the pod "test-container" to "http://{nodeIP:kubequake-worker2}:{nodePort:node-port:http}" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from the pod "test-container" to "udp://{nodeIP:kubequake-worker2}:{nodePort:node-port:udp}" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from a hostNetwork client on node "kubequake-worker" to "http://{clusterIP:node-port}:80" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from a hostNetwork client on node "kubequake-worker" to "udp://{clusterIP:node-port}:90" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from a hostNetwork client on node "kubequake-worker" to "http://{nodeIP:kubequake-worker}:{nodePort:node-port:http}" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from a hostNetwork client on node "kubequake-worker" to "udp://{nodeIP:kubequake-worker}:{nodePort:node-port:udp}" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from a pod of "netserver" to "http://{clusterIP:node-port}:80" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from a pod of "netserver" to "udp://{clusterIP:node-port}:90" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from a pod of "netserver" to "http://{nodeIP:kubequake-control-plane}:{nodePort:node-port:http}" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from a pod of "netserver" to "udp://{nodeIP:kubequake-control-plane}:{nodePort:node-port:udp}" are answered by exactly the ready pods of "netserver"

  @upstream:granular-update-endpoints-http @upstream:granular-update-endpoints-udp
  Scenario: When an endpoint pod goes, TCP and UDP to the ClusterIP reach the remaining endpoint only
    Upstream deletes one endpoint pod for good, waits until the Service lists one endpoint fewer, and then no dial may
    be answered by the deleted pod. Scaling down does the same here (no replacement comes); the "within" steps wait
    for kube-proxy, then 20 more requests each must all be answered, by the remaining pod only.

    Given the demo backend runs 2 replicas spread over the nodes behind the ClusterIP Service "netserver"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: node-port }
      spec:
        type: NodePort
        selector: { app: netserver }
        ports:
          - { name: http, port: 80, targetPort: 8080, protocol: TCP }
          - { name: udp, port: 90, targetPort: 8080, protocol: UDP }
      """
    And the client pod "test-container" is:
      """
      spec: {}
      """
    Then within 30 seconds 10 requests from the pod "test-container" to "http://{clusterIP:node-port}:80" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from the pod "test-container" to "udp://{clusterIP:node-port}:90" are answered by exactly the ready pods of "netserver"
    When "netserver" is scaled to 1 replica
    Then within 30 seconds the Service "node-port" has 1 ready endpoint
    And within 30 seconds 10 requests from the pod "test-container" to "http://{clusterIP:node-port}:80" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from the pod "test-container" to "udp://{clusterIP:node-port}:90" are answered by exactly the ready pods of "netserver"
    When the pod "test-container" sends 20 requests to "http://{clusterIP:node-port}:80"
    Then every request succeeds
    And only pods of "netserver" answered
    When the pod "test-container" sends 20 requests to "udp://{clusterIP:node-port}:90"
    Then every request succeeds
    And only pods of "netserver" answered

  @upstream:granular-update-nodeport-http @upstream:granular-update-nodeport-udp
  Scenario: A deleted NodePort Service stops answering on its NodePorts, over TCP and UDP, from a node
    The NodePorts are fixed here: after the Service is gone there is nothing to look them up from.

    Given the demo backend runs 2 replicas spread over the nodes behind the ClusterIP Service "netserver"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: node-port }
      spec:
        type: NodePort
        selector: { app: netserver }
        ports:
          - { name: http, port: 80, targetPort: 8080, protocol: TCP, nodePort: 32611 }
          - { name: udp, port: 90, targetPort: 8080, protocol: UDP, nodePort: 32612 }
      """
    Then within 30 seconds 10 requests from a hostNetwork client on node "kubequake-worker" to "http://{nodeIP:kubequake-worker}:32611" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from a hostNetwork client on node "kubequake-worker" to "udp://{nodeIP:kubequake-worker}:32612" are answered by exactly the ready pods of "netserver"
    When the Service "node-port" is deleted
    Then within 30 seconds none of 10 requests from a hostNetwork client on node "kubequake-worker" to "http://{nodeIP:kubequake-worker}:32611" succeeds
    And within 30 seconds none of 10 requests from a hostNetwork client on node "kubequake-worker" to "udp://{nodeIP:kubequake-worker}:32612" succeeds

  @upstream:granular-affinity-http @upstream:granular-affinity-udp
  Scenario: ClientIP session affinity holds one pod for a client, over TCP and UDP
    Upstream dials 10 times, one after another, and exactly one endpoint may answer; the requests here are sequential
    too (1 second apart), since requests racing each other before the first answer may be balanced apart.

    Given the demo backend runs 2 replicas spread over the nodes behind the ClusterIP Service "netserver"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: session-affinity }
      spec:
        type: NodePort
        sessionAffinity: ClientIP
        selector: { app: netserver }
        ports:
          - { name: http, port: 80, targetPort: 8080, protocol: TCP }
          - { name: udp, port: 90, targetPort: 8080, protocol: UDP }
      """
    When a client pod sends 10 requests to "http://session-affinity", 1 second apart
    Then every request was answered by the same pod
    When a client pod sends 10 requests to "udp://session-affinity:90", 1 second apart
    Then every request was answered by the same pod

  @upstream:granular-multiple-services-same-selector
  Scenario: Two NodePort Services select the same pods; deleting one leaves the other serving every endpoint
    Given the demo backend runs 2 replicas spread over the nodes behind the ClusterIP Service "netserver"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: node-port }
      spec:
        type: NodePort
        selector: { app: netserver }
        ports: [{ name: http, port: 80, targetPort: 8080 }]
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: second-node-port }
      spec:
        type: NodePort
        selector: { app: netserver }
        ports: [{ name: http, port: 80, targetPort: 8080 }]
      """
    Then within 30 seconds 10 requests from a pod of "netserver" to "http://{clusterIP:node-port}:80" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from a pod of "netserver" to "http://{nodeIP:kubequake-worker}:{nodePort:node-port:http}" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from a pod of "netserver" to "http://{clusterIP:second-node-port}:80" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from a pod of "netserver" to "http://{nodeIP:kubequake-worker}:{nodePort:second-node-port:http}" are answered by exactly the ready pods of "netserver"
    When the Service "node-port" is deleted
    Then within 30 seconds 10 requests from a pod of "netserver" to "http://{clusterIP:second-node-port}:80" are answered by exactly the ready pods of "netserver"
    And within 30 seconds 10 requests from a pod of "netserver" to "http://{nodeIP:kubequake-worker}:{nodePort:second-node-port:http}" are answered by exactly the ready pods of "netserver"

  Scenario: Endpoints on the host network are reached from a pod and from a node, through the ClusterIP and a NodePort
    Upstream's "should function for service endpoints using hostNetwork" also sends a 2000-byte HTTP and UDP echo;
    the demo image does not echo, so that part is not checked here (tooling/coverage/upstream.ts says so). Each
    endpoint listens on port 29531 of its node (above the 20000-28999 that hostNetwork clients use), bound to the
    node's IP: a UDP server bound to 0.0.0.0 on the host network (as upstream's agnhost is) answers a pod on its own
    node from the address the route to the pod picks, cni0's 10.244.x.1, not from the node IP the Service sent the
    datagram to; conntrack then does not undo the Service's NAT and the pod never sees the answer (seen here: every
    UDP dial to the same-node endpoint timed out, and `ip route get <pod IP>` on the node says "src 10.244.2.1").

    Given the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: netserver-0, labels: { app: hostnet } }
      spec:
        nodeName: kubequake-worker
        hostNetwork: true
        containers:
          - name: backend
            image: kubequake.local/demo:current
            args: [backend]
            env:
              - { name: HOST_IP, valueFrom: { fieldRef: { fieldPath: status.hostIP } } }
              - { name: LISTEN, value: "$(HOST_IP):29531" }
              - { name: POD_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
            readinessProbe: { httpGet: { path: /readyz, port: 29531 }, periodSeconds: 1 }
      ---
      apiVersion: v1
      kind: Pod
      metadata: { name: netserver-1, labels: { app: hostnet } }
      spec:
        nodeName: kubequake-worker2
        hostNetwork: true
        containers:
          - name: backend
            image: kubequake.local/demo:current
            args: [backend]
            env:
              - { name: HOST_IP, valueFrom: { fieldRef: { fieldPath: status.hostIP } } }
              - { name: LISTEN, value: "$(HOST_IP):29531" }
              - { name: POD_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
            readinessProbe: { httpGet: { path: /readyz, port: 29531 }, periodSeconds: 1 }
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: node-port }
      spec:
        type: NodePort
        selector: { app: hostnet }
        ports:
          - { name: http, port: 80, targetPort: 29531, protocol: TCP }
          - { name: udp, port: 90, targetPort: 29531, protocol: UDP }
      """
    And the client pod "test-container" is:
      """
      spec: {}
      """
    Then within 30 seconds 10 requests from the pod "test-container" to "http://{clusterIP:node-port}:80" are answered by exactly the ready pods of "hostnet"
    And within 30 seconds 10 requests from the pod "test-container" to "http://{nodeIP:kubequake-worker}:{nodePort:node-port:http}" are answered by exactly the ready pods of "hostnet"
    And within 30 seconds 10 requests from the pod "test-container" to "udp://{clusterIP:node-port}:90" are answered by exactly the ready pods of "hostnet"
    And within 30 seconds 10 requests from the pod "test-container" to "udp://{nodeIP:kubequake-worker}:{nodePort:node-port:udp}" are answered by exactly the ready pods of "hostnet"
    And within 30 seconds 10 requests from a hostNetwork client on node "kubequake-worker" to "http://{clusterIP:node-port}:80" are answered by exactly the ready pods of "hostnet"
    And within 30 seconds 10 requests from a hostNetwork client on node "kubequake-worker" to "http://{nodeIP:kubequake-worker}:{nodePort:node-port:http}" are answered by exactly the ready pods of "hostnet"
    And within 30 seconds 10 requests from a hostNetwork client on node "kubequake-worker" to "udp://{clusterIP:node-port}:90" are answered by exactly the ready pods of "hostnet"
    And within 30 seconds 10 requests from a hostNetwork client on node "kubequake-worker" to "udp://{nodeIP:kubequake-worker}:{nodePort:node-port:udp}" are answered by exactly the ready pods of "hostnet"
