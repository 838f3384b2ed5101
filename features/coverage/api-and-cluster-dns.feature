Feature: API operations and cluster DNS, as Kubernetes' own e2e checks them, written with the step catalog

  @upstream:endpoint-lifecycle
  Scenario: An Endpoints object is created, listed by label, updated, patched and deleted as a collection, each change watched
    When a watch on every Endpoints labelled "test-endpoint-static=true" starts
    And the manifest:
      """
      apiVersion: v1
      kind: Endpoints
      metadata: { name: lifecycle, labels: { test-endpoint-static: "true", test: lifecycle } }
      subsets:
        - addresses: [{ ip: 10.244.250.20 }]
          ports: [{ name: http, port: 80 }]
      """
    Then within 10 seconds the watch saw the Endpoints "lifecycle" added
    And within 10 seconds the Endpoints "lifecycle" has `subsets[0].addresses[0].ip` equal to "10.244.250.20"
    And listing every Endpoints labelled "test-endpoint-static=true" in all namespaces finds "lifecycle" of this scenario
    When the Endpoints "lifecycle" is updated with:
      """
      metadata:
        labels: { test: updated }
      """
    Then within 10 seconds the watch saw the Endpoints "lifecycle" modified with `metadata.labels.test` equal to "updated"
    And within 10 seconds the Endpoints "lifecycle" has `metadata.labels.test` equal to "updated"
    When the Endpoints "lifecycle" is patched with:
      """
      metadata:
        labels: { test: patched }
      subsets:
        - addresses: [{ ip: 10.244.250.21 }]
          ports: [{ name: http-test, port: 8080 }]
      """
    Then within 10 seconds the watch saw the Endpoints "lifecycle" modified with `subsets[0].addresses[0].ip` equal to "10.244.250.21"
    And within 10 seconds the Endpoints "lifecycle" has `metadata.labels.test` equal to "patched"
    And within 10 seconds the Endpoints "lifecycle" has `subsets[*].addresses[*].ip` equal to "10.244.250.21"
    And within 10 seconds the Endpoints "lifecycle" has `subsets[0].ports[0].name` equal to "http-test"
    And within 10 seconds the Endpoints "lifecycle" has `subsets[0].ports[0].port` equal to "8080"
    When every Endpoints labelled "test-endpoint-static=true" is deleted
    Then within 10 seconds the watch saw the Endpoints "lifecycle" deleted
    And within 10 seconds the Endpoints "lifecycle" does not exist

  @upstream:endpointslice-api
  Scenario: EndpointSlices are discovered, created, read, listed, patched, updated, deleted and deleted as a collection
    The cluster is shared, so the labelled list across all namespaces must find this scenario's slices rather than
    count exactly 3 (another run of this scenario may hold slices with the same label).
    Then the API server serves "endpointslices" in "discovery.k8s.io/v1"
    Given the manifest, without waiting for its Services:
      """
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata: { name: handmade-1, labels: { kubernetes.io/service-name: nothing, special: api-test } }
      addressType: IPv4
      endpoints: [{ addresses: [10.244.250.30] }]
      ports: [{ name: http, port: 8080 }]
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata: { name: handmade-2, labels: { kubernetes.io/service-name: nothing, special: api-test } }
      addressType: IPv4
      endpoints: [{ addresses: [10.244.250.31] }]
      ports: [{ name: http, port: 8080 }]
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata: { name: handmade-3, labels: { kubernetes.io/service-name: nothing, special: api-test } }
      addressType: IPv4
      endpoints: [{ addresses: [10.244.250.32] }]
      ports: [{ name: http, port: 8080 }]
      """
    Then within 10 seconds the EndpointSlice "handmade-1" has `endpoints[0].addresses[0]` equal to "10.244.250.30"
    And listing every EndpointSlice labelled "special=api-test" in this scenario's namespace finds 3
    And listing every EndpointSlice labelled "special=api-test" in all namespaces finds "handmade-3" of this scenario
    And listing every EndpointSlice in all namespaces finds "handmade-1" of this scenario
    When a watch on every EndpointSlice labelled "special=api-test" starts
    And the EndpointSlice "handmade-1" is patched with:
      """
      metadata:
        annotations: { patched: "true" }
      """
    Then within 10 seconds the EndpointSlice "handmade-1" has `metadata.annotations.patched` equal to "true"
    And within 10 seconds the watch saw the EndpointSlice "handmade-1" modified with `metadata.annotations.patched` equal to "true"
    When the EndpointSlice "handmade-1" is updated with:
      """
      metadata:
        annotations: { updated: "true" }
      """
    Then within 10 seconds the EndpointSlice "handmade-1" has `metadata.annotations.updated` equal to "true"
    And within 10 seconds the watch saw the EndpointSlice "handmade-1" modified with `metadata.annotations.updated` equal to "true"
    When the EndpointSlice "handmade-1" is deleted
    Then within 10 seconds the EndpointSlice "handmade-1" does not exist
    And within 10 seconds the watch saw the EndpointSlice "handmade-1" deleted
    And listing every EndpointSlice labelled "special=api-test" in this scenario's namespace finds 2
    When every EndpointSlice labelled "special=api-test" is deleted
    Then listing every EndpointSlice labelled "special=api-test" in this scenario's namespace finds 0

  @upstream:status-lifecycle
  Scenario: A Service's status is patched and updated through its status subresource, then the Service is patched and deleted
    The Service asks for a load-balancer class no controller here implements (MetalLB leaves it alone), so only the
    scenario writes its status; a status written through the Service itself instead of /status would be dropped.
    When a watch on every Service labelled "test-service-static=true" starts
    And the manifest, without waiting for its Services:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: status-test, labels: { test-service-static: "true" } }
      spec:
        type: LoadBalancer
        loadBalancerClass: example.com/internal-vip
        ports: [{ name: http, port: 80, targetPort: 80 }]
      """
    Then within 10 seconds the watch saw the Service "status-test" added
    And listing every Service labelled "test-service-static=true" in all namespaces finds "status-test" of this scenario
    And within 10 seconds the Service "status-test" has `status.loadBalancer.ingress` not set
    When the status of the Service "status-test" is patched with:
      """
      metadata:
        annotations: { patchedstatus: "true" }
      status:
        loadBalancer:
          ingress: [{ ip: 203.0.113.1 }]
      """
    Then within 10 seconds the watch saw the Service "status-test" modified with `status.loadBalancer.ingress[0].ip` equal to "203.0.113.1"
    And within 10 seconds the Service "status-test" has `status.loadBalancer.ingress[0].ip` equal to "203.0.113.1"
    And within 10 seconds the Service "status-test" has `metadata.annotations.patchedstatus` equal to "true"
    When the status of the Service "status-test" is updated with:
      """
      status:
        conditions:
          - type: StatusUpdate
            status: "True"
            reason: E2E
            message: Set from e2e test
            lastTransitionTime: "2026-01-01T00:00:00Z"
      """
    Then within 10 seconds the watch saw the Service "status-test" modified with `status.conditions[?(@.type=="StatusUpdate")].status` equal to "True"
    And within 10 seconds the Service "status-test" has `status.conditions[?(@.type=="StatusUpdate")].status` equal to "True"
    And within 10 seconds the Service "status-test" has `status.loadBalancer.ingress[0].ip` equal to "203.0.113.1"
    When the Service "status-test" is patched with:
      """
      metadata:
        labels: { test-service: patched }
      """
    Then within 10 seconds the watch saw the Service "status-test" modified with `metadata.labels.test-service` equal to "patched"
    And within 10 seconds the Service "status-test" has `metadata.labels.test-service` equal to "patched"
    And within 10 seconds the Service "status-test" has `status.loadBalancer.ingress[0].ip` equal to "203.0.113.1"
    When the Service "status-test" is deleted
    Then within 10 seconds the watch saw the Service "status-test" deleted
    And within 10 seconds the Service "status-test" does not exist

  @upstream:list-all-namespaces @upstream:delete-collection
  Scenario: A Service is found by listing all namespaces, and Services are deleted as a collection by label
    Given the manifest, without waiting for its Services:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: one, labels: { group: doomed } }
      spec:
        selector: { app: none }
        ports: [{ port: 80 }]
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: two, labels: { group: doomed } }
      spec:
        selector: { app: none }
        ports: [{ port: 80 }]
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: kept }
      spec:
        selector: { app: none }
        ports: [{ port: 80 }]
      """
    Then listing every Service in all namespaces finds "one" of this scenario
    When every Service labelled "group=doomed" is deleted
    Then within 30 seconds the Service "one" does not exist
    And within 30 seconds the Service "two" does not exist
    And within 10 seconds the Service "kept" has `spec.clusterIP` set

  @upstream:dns-cluster @upstream:dns-partial-cluster
  Scenario: The cluster's own Service resolves by its full and partially qualified names over UDP and TCP, and a pod resolves its own names
    When the client pod "querier" is:
      """
      spec:
        hostname: querier
        subdomain: no-such-service
      """
    Then within 30 seconds "kubernetes.default.svc.cluster.local" resolves to the ClusterIP of the Service "kubernetes" in namespace "default"
    And within 30 seconds "kubernetes.default.svc" resolves to the ClusterIP of the Service "kubernetes" in namespace "default"
    And within 30 seconds "kubernetes.default" resolves to the ClusterIP of the Service "kubernetes" in namespace "default"
    And within 30 seconds the pod "querier" resolves "querier" to the IP of pod "querier"
    And within 30 seconds the pod "querier" resolves "querier.no-such-service.{namespace}.svc.cluster.local" to the IP of pod "querier"
    When the scenario's DNS lookups go over TCP
    Then within 30 seconds "kubernetes.default.svc.cluster.local" resolves to the ClusterIP of the Service "kubernetes" in namespace "default"
    And within 30 seconds "kubernetes.default.svc" resolves to the ClusterIP of the Service "kubernetes" in namespace "default"
    And within 30 seconds "kubernetes.default" resolves to the ClusterIP of the Service "kubernetes" in namespace "default"

  @upstream:dns-nameservers @upstream:dns-resolv-conf
  Scenario: A pod with dnsPolicy None uses the nameserver, search path and options of its dnsConfig
    When the field `spec.clusterIP` of the Service "kube-dns" in namespace "kube-system" is remembered as "cluster-dns"
    And the client pod "custom-dns" is:
      """
      spec:
        dnsPolicy: None
        dnsConfig:
          nameservers: ["{remembered:cluster-dns}"]
          searches: [default.svc.cluster.local]
          options: [{ name: ndots, value: "2" }]
      """
    Then within 30 seconds the pod "custom-dns" resolves "kubernetes" to the ClusterIP of the Service "kubernetes" in namespace "default"

  # The kubelet merges a pod's extra search paths after the cluster's own (dnsPolicy ClusterFirst). Names outside the
  # cluster's zones get NXDOMAIN here (CoreDNS has no upstream), so only the merged cluster paths can answer.
  # A second pod asks the same over TCP (its resolv.conf says use-vc).
  @upstream:dns-long-search
  Scenario Outline: More than 6 search paths and over 256 characters, merged with the cluster's own, over <protocol>
    When the client pod "long-search" is:
      """
      spec:
        hostname: querier
        subdomain: no-such-service
        dnsPolicy: ClusterFirst
        dnsConfig:
          searches:
            - 00000000000000000000000000000000000001.k8s.io
            - 00000000000000000000000000000000000002.k8s.io
            - 00000000000000000000000000000000000003.k8s.io
            - 00000000000000000000000000000000000004.k8s.io
            - 00000000000000000000000000000000000005.k8s.io
            - 00000000000000000000000000000000000006.k8s.io
          options: [{ name: ndots, value: "5" }<option>]
      """
    Then within 30 seconds the pod "long-search" resolves "kubernetes.default" to the ClusterIP of the Service "kubernetes" in namespace "default"
    And within 30 seconds the pod "long-search" resolves "kubernetes.default.svc" to the ClusterIP of the Service "kubernetes" in namespace "default"
    And within 30 seconds the pod "long-search" resolves "querier" to the IP of pod "long-search"
    And within 30 seconds the pod "long-search" resolves "querier.no-such-service.{namespace}.svc.cluster.local" to the IP of pod "long-search"

    Examples:
      | protocol | option             |
      | UDP      |                    |
      | TCP      | , { name: use-vc } |

  @upstream:dns-odd-search
  Scenario Outline: A search path with an underscore and one that is a single dot, merged with the cluster's own, over <protocol>
    When the client pod "odd-search" is:
      """
      spec:
        hostname: querier
        subdomain: no-such-service
        dnsPolicy: ClusterFirst
        dnsConfig:
          searches: [".", "_sip._tcp.abc_d.example.com"]
          options: [{ name: ndots, value: "5" }<option>]
      """
    Then within 30 seconds the pod "odd-search" resolves "kubernetes.default" to the ClusterIP of the Service "kubernetes" in namespace "default"
    And within 30 seconds the pod "odd-search" resolves "kubernetes.default.svc" to the ClusterIP of the Service "kubernetes" in namespace "default"
    And within 30 seconds the pod "odd-search" resolves "querier" to the IP of pod "odd-search"
    And within 30 seconds the pod "odd-search" resolves "querier.no-such-service.{namespace}.svc.cluster.local" to the IP of pod "odd-search"

    Examples:
      | protocol | option             |
      | UDP      |                    |
      | TCP      | , { name: use-vc } |

  @upstream:dns-externalname
  Scenario: An ExternalName Service is a CNAME that follows its externalName, and an A record once it is a ClusterIP Service
    Given the demo backend runs 1 replica behind the ClusterIP Service "web"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: ext }
      spec:
        type: ExternalName
        externalName: ip-10-1-2-3.outside.test
      """
    Then within 30 seconds "ext.{namespace}.svc.cluster.local" is an alias of "ip-10-1-2-3.outside.test"
    When the Service "ext" is patched with:
      """
      spec:
        externalName: ip-10-1-2-4.outside.test
      """
    Then within 30 seconds "ext.{namespace}.svc.cluster.local" is an alias of "ip-10-1-2-4.outside.test"
    When the Service "ext" is patched with:
      """
      spec:
        type: ClusterIP
        externalName: null
        selector: { app: web }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    Then within 30 seconds "ext.{namespace}.svc.cluster.local" resolves to the ClusterIP of "ext"
