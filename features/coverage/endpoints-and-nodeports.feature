Feature: Endpoints, NodePorts and proxy labels, as Kubernetes' own e2e checks them, written with the step catalog

  @upstream:basic-endpoint
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

  # The pods listen on the ports they declare (upstream's nginx pods do not), so the named-port Service is also
  # checked with traffic.
  @upstream:endpointslice-for-pods @upstream:endpointslice-create-delete
  Scenario: EndpointSlices list the selected pods, one slice per resolved port, an empty one for none, remade when deleted, gone with the Service
    Given the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: pod1, labels: { pod1: "on", shared12: "on" } }
      spec:
        containers:
          - name: backend
            image: kubequake.local/demo:current
            args: [backend]
            env: [{ name: LISTEN, value: ":3000" }]
            ports: [{ name: example-name, containerPort: 3000 }]
      ---
      apiVersion: v1
      kind: Pod
      metadata: { name: pod2, labels: { pod2: "on", shared12: "on" } }
      spec:
        containers:
          - name: backend
            image: kubequake.local/demo:current
            args: [backend]
            env: [{ name: LISTEN, value: ":3001" }, { name: EXTRA_LISTEN, value: ":3002" }]
            ports: [{ name: example-name, containerPort: 3001 }, { name: other-port, containerPort: 3002 }]
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: int-port }
      spec:
        publishNotReadyAddresses: true
        selector: { pod1: "on" }
        ports: [{ name: example, port: 80, targetPort: 3000 }]
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: named-port }
      spec:
        publishNotReadyAddresses: true
        selector: { shared12: "on" }
        ports: [{ name: http, port: 80, targetPort: example-name }]
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: no-match }
      spec:
        publishNotReadyAddresses: true
        selector: { pod3: "on" }
        ports: [{ name: example-no-match, port: 80, targetPort: 8080 }]
      """
    Then within 30 seconds the EndpointSlices and Endpoints of "int-port" list exactly:
      | pod  | port name | port |
      | pod1 | example   | 3000 |
    And within 30 seconds the EndpointSlices and Endpoints of "named-port" list exactly:
      | pod  | port name | port |
      | pod1 | http      | 3000 |
      | pod2 | http      | 3001 |
    And within 30 seconds the EndpointSlices and Endpoints of "no-match" list no endpoint
    When a client pod sends 20 requests to "http://named-port"
    Then every request succeeds
    And the requests were answered by at least 2 different pods
    When every EndpointSlice labelled "kubernetes.io/service-name=named-port" is deleted
    Then within 30 seconds the EndpointSlices and Endpoints of "named-port" list exactly:
      | pod  | port name | port |
      | pod1 | http      | 3000 |
      | pod2 | http      | 3001 |
    When the Service "no-match" is deleted
    Then within 30 seconds the Endpoints "no-match" does not exist
    And within 90 seconds no EndpointSlice of "no-match" is left

  # Its EndpointSlices are written by hand with addressType IPv4, as upstream's are on an IPv4 cluster.
  @upstream:multiport-multislice @needs:ipv4
  Scenario: A selector-less Service with two ports in two hand-made EndpointSlices reaches the pod on both
    Given the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: two-ports, labels: { app: two-ports } }
      spec:
        containers:
          - { name: on-8090, image: "kubequake.local/demo:current", args: [backend], env: [{ name: LISTEN, value: ":8090" }] }
          - { name: on-9090, image: "kubequake.local/demo:current", args: [backend], env: [{ name: LISTEN, value: ":9090" }] }
      """
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: custom }
      spec:
        ports: [{ name: port80, port: 80 }, { name: port81, port: 81 }]
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata:
        name: custom-port80
        labels: { kubernetes.io/service-name: custom, endpointslice.kubernetes.io/managed-by: kubequake }
      addressType: IPv4
      endpoints: [{ addresses: ["{podIP:two-ports}"], conditions: { ready: true } }]
      ports: [{ name: port80, port: 8090, protocol: TCP }]
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata:
        name: custom-port81
        labels: { kubernetes.io/service-name: custom, endpointslice.kubernetes.io/managed-by: kubequake }
      addressType: IPv4
      endpoints: [{ addresses: ["{podIP:two-ports}"], conditions: { ready: true } }]
      ports: [{ name: port81, port: 9090, protocol: TCP }]
      """
    Then within 30 seconds 10 requests to "http://custom:80" are answered by exactly the ready pods of "two-ports"
    And within 30 seconds 10 requests to "http://custom:81" are answered by exactly the ready pods of "two-ports"

  # Its EndpointSlices are written by hand with addressType IPv4, as upstream's are on an IPv4 cluster.
  @upstream:multi-ip-multislice @needs:ipv4
  Scenario: A selector-less Service whose two ports are hand-made EndpointSlices of two different pods reaches each pod on its port
    Given the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: pod1, labels: { app: first } }
      spec:
        containers: [{ name: on-8090, image: "kubequake.local/demo:current", args: [backend], env: [{ name: LISTEN, value: ":8090" }] }]
      ---
      apiVersion: v1
      kind: Pod
      metadata: { name: pod2, labels: { app: second } }
      spec:
        containers: [{ name: on-8090, image: "kubequake.local/demo:current", args: [backend], env: [{ name: LISTEN, value: ":8090" }] }]
      """
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: two-pods }
      spec:
        ports: [{ name: port80, port: 80 }, { name: port81, port: 81 }]
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata:
        name: two-pods-port80
        labels: { kubernetes.io/service-name: two-pods, endpointslice.kubernetes.io/managed-by: kubequake }
      addressType: IPv4
      endpoints: [{ addresses: ["{podIP:pod1}"], conditions: { ready: true } }]
      ports: [{ name: port80, port: 8090, protocol: TCP }]
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata:
        name: two-pods-port81
        labels: { kubernetes.io/service-name: two-pods, endpointslice.kubernetes.io/managed-by: kubequake }
      addressType: IPv4
      endpoints: [{ addresses: ["{podIP:pod2}"], conditions: { ready: true } }]
      ports: [{ name: port81, port: 8090, protocol: TCP }]
      """
    Then within 30 seconds 10 requests to "http://two-pods:80" are answered by exactly the ready pods of "first"
    And within 30 seconds 10 requests to "http://two-pods:81" are answered by exactly the ready pods of "second"

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
    And within 30 seconds no EndpointSlice of "manual" is left

  # The mirroring controller, not the EndpointSlice controller, writes these slices (managed-by
  # endpointslicemirroring-controller.k8s.io, no targetRef), so traffic and the slices' removal are what is checked.
  @upstream:endpointslice-mirroring-subsets
  Scenario: A hand-made Endpoints with two subsets on one pod IP is mirrored, reaches the pod on both ports, and its slices go with it
    Given the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: two-subsets, labels: { app: two-subsets } }
      spec:
        containers:
          - { name: on-8090, image: "kubequake.local/demo:current", args: [backend], env: [{ name: LISTEN, value: ":8090" }] }
          - { name: on-9090, image: "kubequake.local/demo:current", args: [backend], env: [{ name: LISTEN, value: ":9090" }] }
      """
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: mirrored }
      spec:
        ports: [{ name: port80, port: 80 }, { name: port81, port: 81 }]
      ---
      apiVersion: v1
      kind: Endpoints
      metadata: { name: mirrored }
      subsets:
        - { addresses: [{ ip: "{podIP:two-subsets}" }], ports: [{ name: port80, port: 8090 }] }
        - { addresses: [{ ip: "{podIP:two-subsets}" }], ports: [{ name: port81, port: 9090 }] }
      """
    Then within 30 seconds 10 requests to "http://mirrored:80" are answered by exactly the ready pods of "two-subsets"
    And within 30 seconds 10 requests to "http://mirrored:81" are answered by exactly the ready pods of "two-subsets"
    When the Endpoints "mirrored" is deleted
    Then within 30 seconds no EndpointSlice of "mirrored" is left

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
    The NodePort is the one the API server gave "first", remembered and asked for again (never typed in, so no other
    scenario can hold it by chance). The API server frees a deleted Service's NodePort a moment after the Service is
    gone: it first deletes the Service's Endpoints and frees its ClusterIP. A loaded CI machine once refused "second"
    in that gap, so "is deleted" waits for a Service's NodePorts to be free too (a dry-run create on them is accepted).

    Given the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: first }
      spec:
        type: NodePort
        selector: { app: none }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    When the field `spec.ports[0].nodePort` of the Service "first" is remembered as "taken"
    And the API server rejects the manifest with "provided port is already allocated":
      """
      apiVersion: v1
      kind: Service
      metadata: { name: second }
      spec:
        type: NodePort
        selector: { app: none }
        ports: [{ port: 80, targetPort: 8080, nodePort: {remembered:taken} }]
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
        ports: [{ port: 80, targetPort: 8080, nodePort: {remembered:taken} }]
      """
    Then within 10 seconds the Service "second" has `spec.ports[0].nodePort` equal to "{remembered:taken}"

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


  # Kubernetes' e2e test also checks that creating the Service did not load the sctp kernel module on the nodes.
  # Here that part could neither pass nor fail: this machine's kernel cannot load modules at all (there is no
  # /proc/modules) and has no SCTP protocol built in (/proc/net/protocols lists none), so it is left out. The API
  # server, the EndpointSlice controller and kube-proxy handle SCTP Services all the same (kube-proxy's sctp rules
  # need only the kernel's sctp match, which it has); no SCTP traffic is sent, as upstream sends none.
  @serial @upstream:sctp
  Scenario: An SCTP Service has no endpoint until a pod with its SCTP port runs, and none once the pod is gone
    Given the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: sctp }
      spec:
        selector: { app: sctp }
        ports: [{ name: sip, port: 5060, targetPort: 5060, protocol: SCTP }]
      """
    Then within 30 seconds the EndpointSlices and Endpoints of "sctp" list no endpoint
    When the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: pod1, labels: { app: sctp } }
      spec:
        containers:
          - name: backend
            image: kubequake.local/demo:current
            args: [backend]
            ports: [{ containerPort: 5060, protocol: SCTP }]
      """
    Then within 30 seconds the EndpointSlices and Endpoints of "sctp" list exactly:
      | pod  | port name | port | protocol |
      | pod1 | sip       | 5060 | SCTP     |
    When the Pod "pod1" is deleted
    Then within 30 seconds the EndpointSlices and Endpoints of "sctp" list no endpoint
