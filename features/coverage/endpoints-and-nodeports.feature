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
    And within 30 seconds the EndpointSlices of the Service "manual" hold exactly the addresses and ports of its Endpoints
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
    And within 30 seconds the EndpointSlices of the Service "manual" hold exactly the addresses and ports of its Endpoints
    When the Endpoints "manual" is deleted
    Then within 30 seconds the Service "manual" has 0 ready endpoints
    And within 30 seconds the Service "manual" has no EndpointSlices

  @upstream:service-proxy-name @upstream:headless-label
  Scenario: kube-proxy ignores a Service labelled with another proxy's name or as headless, and serves it once unlabelled
    Given the demo backend runs 1 replica behind the ClusterIP Service "web"
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
    Then within 30 seconds the Service "other-proxy" has 1 ready endpoint
    And within 30 seconds the Service "said-headless" has 1 ready endpoint
    And within 30 seconds none of 5 requests to "http://other-proxy" succeeds
    And within 30 seconds none of 5 requests to "http://said-headless" succeeds
    When the Service "other-proxy" is patched with:
      """
      metadata:
        labels: { service.kubernetes.io/service-proxy-name: null }
      """
    And the Service "said-headless" is patched with:
      """
      metadata:
        labels: { service.kubernetes.io/headless: null }
      """
    And a client pod sends 10 requests to "http://other-proxy"
    Then every request succeeds
    When a client pod sends 10 requests to "http://said-headless"
    Then every request succeeds

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

  @upstream:nodeport-functioning @upstream:affinity-nodeport
  Scenario: A NodePort Service answers on every node's IP, and ClientIP affinity holds through the NodePort
    Given the demo backend runs 3 replicas behind the ClusterIP Service "web"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: np }
      spec:
        type: NodePort
        selector: { app: web }
        ports: [{ port: 80, targetPort: 8080, nodePort: 31918 }]
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: sticky }
      spec:
        type: NodePort
        sessionAffinity: ClientIP
        selector: { app: web }
        ports: [{ port: 80, targetPort: 8080, nodePort: 31919 }]
      """
    When the client pod "outside-in" is:
      """
      spec:
        nodeName: kubequake-worker
      """
    Then within 30 seconds 10 requests from the pod "outside-in" to "http://np" all succeed
    And within 30 seconds 10 requests from the pod "outside-in" to "http://{nodeIP:kubequake-worker}:31918" all succeed
    And within 30 seconds 10 requests from the pod "outside-in" to "http://{nodeIP:kubequake-worker2}:31918" all succeed
    And within 30 seconds 10 requests from the pod "outside-in" to "http://{nodeIP:kubequake-control-plane}:31918" all succeed
    And within 30 seconds 5 requests from the pod "outside-in" to "http://{nodeIP:kubequake-worker2}:31919" all succeed
    When the pod "outside-in" sends 15 requests to "http://{nodeIP:kubequake-worker2}:31919"
    Then every request was answered by the same pod

  @upstream:nodeport-tcp-udp
  Scenario: Switching a TCP+UDP Service to NodePort allocates a NodePort per protocol, and both serve
    Given the demo backend runs 1 replica behind the ClusterIP Service "web"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: dual }
      spec:
        selector: { app: web }
        ports:
          - { name: tcp, port: 80, targetPort: 8080, protocol: TCP }
          - { name: udp, port: 80, targetPort: 8080, protocol: UDP }
      """
    When the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: dual }
      spec:
        type: NodePort
        selector: { app: web }
        ports:
          - { name: tcp, port: 80, targetPort: 8080, protocol: TCP, nodePort: 31920 }
          - { name: udp, port: 80, targetPort: 8080, protocol: UDP, nodePort: 31920 }
      """
    And the client pod "c" is:
      """
      spec: {}
      """
    Then within 30 seconds 10 requests from the pod "c" to "http://{nodeIP:kubequake-worker}:31920" all succeed
    And within 30 seconds 10 requests from the pod "c" to "udp://{nodeIP:kubequake-worker}:31920" all succeed
