Feature: Endpoints, NodePorts and proxy labels, as Kubernetes' own e2e checks them, written with the step catalog

  @upstream:basic-endpoint @upstream:endpointslice-for-pods @upstream:endpointslice-create-delete
  Scenario: Endpoints follow pods as they come and go, and go with their Service
    Given the demo backend runs 0 replicas behind the ClusterIP Service "web"
    When a client pod sends 3 requests to "http://web"
    Then every request is refused
    When "web" is scaled to 1 replica
    Then within 30 seconds 10 requests to "http://web" are answered by exactly the ready pods of "web"
    When "web" is scaled to 2 replicas
    Then within 30 seconds the ready endpoints of "web" are exactly the ready pods of "web"
    And within 30 seconds 20 requests to "http://web" are answered by exactly the ready pods of "web"
    And within 10 seconds the Endpoints "web" has `subsets[0].addresses[1].ip` set
    When "web" is scaled to 0 replicas
    Then within 30 seconds the Service "web" has 0 ready endpoints
    And within 30 seconds none of 3 requests to "http://web" succeeds
    When the Service "web" is deleted
    Then within 30 seconds the Endpoints "web" does not exist

  @upstream:endpointslice-mirroring
  Scenario: A selector-less Service's hand-made Endpoints are mirrored to EndpointSlices through create, update and delete
    Given the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: manual }
      spec:
        ports: [{ name: http, port: 80, targetPort: 8080 }]
      ---
      apiVersion: v1
      kind: Endpoints
      metadata: { name: manual }
      subsets:
        - addresses: [{ ip: 10.244.250.10 }]
          ports: [{ name: http, port: 8080 }]
      """
    Then within 30 seconds the Service "manual" has 1 ready endpoint
    When the manifest:
      """
      apiVersion: v1
      kind: Endpoints
      metadata: { name: manual }
      subsets:
        - addresses: [{ ip: 10.244.250.10 }, { ip: 10.244.250.11 }]
          ports: [{ name: http, port: 8080 }]
      """
    Then within 30 seconds the Service "manual" has 2 ready endpoints
    When the Endpoints "manual" is deleted
    Then within 30 seconds the Service "manual" has 0 ready endpoints

  @upstream:service-proxy-name @upstream:headless-label
  Scenario: kube-proxy ignores Services labelled with another proxy's name or as headless, stops serving one once labelled, and serves it again once unlabelled
    "other-proxy" and "said-headless" carry the label from the start and must never answer; "toggled-proxy" and
    "toggled-headless" serve, get the label (re-applied without waiting: they are not meant to serve), stop, lose it,
    and serve again. Every probe goes to the ClusterIP itself, as upstream's does, from a pod and (once the pod's
    view has settled) from a node's own network.

    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    And the manifest, without waiting for its Services:
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: other-proxy
        labels: { service.kubernetes.io/service-proxy-name: foo-bar }
      spec:
        selector: { app: web }
        ports: [{ port: 80, targetPort: 8080 }]
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: said-headless
        labels: { service.kubernetes.io/headless: "" }
      spec:
        selector: { app: web }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: toggled-proxy }
      spec:
        selector: { app: web }
        ports: [{ port: 80, targetPort: 8080 }]
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: toggled-headless }
      spec:
        selector: { app: web }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    Then within 30 seconds 20 requests to "http://{clusterIP:toggled-proxy}" are answered by exactly the ready pods of "web"
    And within 30 seconds 20 requests to "http://{clusterIP:toggled-headless}" are answered by exactly the ready pods of "web"
    And within 30 seconds the Service "other-proxy" has 2 ready endpoints
    And within 30 seconds the Service "said-headless" has 2 ready endpoints
    And within 30 seconds none of 5 requests to "http://{clusterIP:other-proxy}" succeeds
    And within 30 seconds none of 5 requests to "http://{clusterIP:said-headless}" succeeds
    When the manifest, without waiting for its Services:
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: toggled-proxy
        labels: { service.kubernetes.io/service-proxy-name: foo-bar }
      spec:
        selector: { app: web }
        ports: [{ port: 80, targetPort: 8080 }]
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: toggled-headless
        labels: { service.kubernetes.io/headless: "" }
      spec:
        selector: { app: web }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    Then within 30 seconds none of 5 requests to "http://{clusterIP:toggled-proxy}" succeeds
    And within 30 seconds none of 5 requests to "http://{clusterIP:toggled-headless}" succeeds
    When a hostNetwork client on node "kubequake-worker" sends 5 requests to "http://{clusterIP:toggled-proxy}"
    Then no request succeeds
    When a hostNetwork client on node "kubequake-worker" sends 5 requests to "http://{clusterIP:toggled-headless}"
    Then no request succeeds
    When the Service "toggled-proxy" is patched with:
      """
      metadata:
        labels: { service.kubernetes.io/service-proxy-name: null }
      """
    And the Service "toggled-headless" is patched with:
      """
      metadata:
        labels: { service.kubernetes.io/headless: null }
      """
    Then within 30 seconds 20 requests to "http://{clusterIP:toggled-proxy}" are answered by exactly the ready pods of "web"
    And within 30 seconds 20 requests to "http://{clusterIP:toggled-headless}" are answered by exactly the ready pods of "web"
    And within 30 seconds none of 5 requests to "http://{clusterIP:other-proxy}" succeeds
    And within 30 seconds none of 5 requests to "http://{clusterIP:said-headless}" succeeds
    When a hostNetwork client on node "kubequake-worker" sends 10 requests to "http://{clusterIP:toggled-proxy}"
    Then every request succeeds
    When a hostNetwork client on node "kubequake-worker" sends 10 requests to "http://{clusterIP:toggled-headless}"
    Then every request succeeds
    When a hostNetwork client on node "kubequake-worker" sends 5 requests to "http://{clusterIP:other-proxy}"
    Then no request succeeds
    When a hostNetwork client on node "kubequake-worker" sends 5 requests to "http://{clusterIP:said-headless}"
    Then no request succeeds

  @upstream:nodeport-collision @upstream:nodeport-release
  Scenario: A NodePort in use is refused to a second Service until the first is deleted, then it is free again
    The API server frees a deleted Service's NodePort a moment after the Service is gone: it first deletes the
    Service's Endpoints and frees its ClusterIP. A loaded CI machine once refused "second" in that gap, so "is
    deleted" waits for a Service's NodePorts to be free too (a dry-run create on them is accepted).

    Given the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: first }
      spec:
        type: NodePort
        selector: { app: none }
        ports: [{ port: 80, targetPort: 8080, nodePort: 31917 }]
      """
    When the API server rejects the manifest with "provided port is already allocated":
      """
      apiVersion: v1
      kind: Service
      metadata: { name: second }
      spec:
        type: NodePort
        selector: { app: none }
        ports: [{ port: 80, targetPort: 8080, nodePort: 31917 }]
      """
    When the Service "first" is deleted
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: second }
      spec:
        type: NodePort
        selector: { app: none }
        ports: [{ port: 80, targetPort: 8080, nodePort: 31917 }]
      """
    Then within 10 seconds the Service "second" has `spec.ports[0].nodePort` equal to "31917"

  @upstream:nodeport-functioning
  Scenario: A NodePort Service gets its NodePort from the API server and answers by name, on its ClusterIP and on every node
    Given the demo backend runs 2 replicas behind the NodePort Service "np"
    Then within 10 seconds the Service "np" has the fields of a NodePort Service
    And within 30 seconds 20 requests to "http://np" are answered by exactly the ready pods of "np"
    And within 30 seconds 20 requests to "http://{clusterIP:np}" are answered by exactly the ready pods of "np"
    And within 30 seconds 10 requests from a client pod to the NodePort of "np" on every node all succeed

  @upstream:nodeport-tcp-udp
  Scenario: A TCP Service changed to NodePort gets a NodePort; adding UDP on the same port number gets it one too, and both protocols answer on every node
    The NodePorts are the API server's to choose, as upstream leaves them; the re-applied manifest names no
    NodePort, so the TCP port keeps its own and the UDP port gets a new one.

    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: dual }
      spec:
        selector: { app: web }
        ports:
          - { name: tcp, port: 80, targetPort: 8080, protocol: TCP }
      """
    When the Service "dual" changes to type NodePort
    Then within 10 seconds the Service "dual" has the fields of a NodePort Service
    And within 30 seconds 20 requests to "http://{nodeIP:kubequake-worker}:{nodePort:dual}" are answered by exactly the ready pods of "web"
    And within 30 seconds 20 requests to "http://{nodeIP:kubequake-worker2}:{nodePort:dual}" are answered by exactly the ready pods of "web"
    When the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: dual }
      spec:
        type: NodePort
        selector: { app: web }
        ports:
          - { name: tcp, port: 80, targetPort: 8080, protocol: TCP }
          - { name: udp, port: 80, targetPort: 8080, protocol: UDP }
      """
    Then within 10 seconds the Service "dual" has the fields of a NodePort Service
    And within 10 seconds the Service "dual" has `spec.ports[?(@.name=="udp")].nodePort` set
    And within 30 seconds 20 requests to "http://dual" are answered by exactly the ready pods of "web"
    And within 30 seconds 20 requests to "udp://dual:80" are answered by exactly the ready pods of "web"
    And within 30 seconds 20 requests to "udp://{clusterIP:dual}:80" are answered by exactly the ready pods of "web"
    And within 30 seconds 20 requests to "http://{nodeIP:kubequake-worker}:{nodePort:dual:tcp}" are answered by exactly the ready pods of "web"
    And within 30 seconds 20 requests to "udp://{nodeIP:kubequake-worker}:{nodePort:dual:udp}" are answered by exactly the ready pods of "web"
    And within 30 seconds 20 requests to "http://{nodeIP:kubequake-worker2}:{nodePort:dual:tcp}" are answered by exactly the ready pods of "web"
    And within 30 seconds 20 requests to "udp://{nodeIP:kubequake-worker2}:{nodePort:dual:udp}" are answered by exactly the ready pods of "web"
