Feature: Kubernetes' own Service checks, written with the step catalog
  Each scenario names the upstream e2e test it covers with an @upstream tag (docs/COVERAGE.md lists them all).

  @upstream:kubernetes-service @upstream:endpoints-to-apiserver
  Scenario: The kubernetes Service and its endpoints point at the API server (read only)
    Then the Service "kubernetes" in namespace "default" has `spec.ports[?(@.name=="https")].port` equal to "443"
    And the Service "kubernetes" in namespace "default" has `spec.clusterIP` set
    And the EndpointSlice "kubernetes" in namespace "default" has `endpoints[0].addresses[0]` set
    And the Endpoints "kubernetes" in namespace "default" has `subsets[0].addresses[0].ip` set
    And the EndpointSlices of the Service "kubernetes" in namespace "default" hold exactly the addresses and ports of its Endpoints

  @upstream:no-endpoints-refused
  Scenario: A Service without endpoints refuses connections
    Given the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: nobody }
      spec:
        selector: { app: nobody }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    When a client pod sends 5 requests to "http://nobody"
    Then every request is refused

  @upstream:hairpin
  Scenario: A pod reaches itself through its own Service
    Given the demo backend runs 1 replica behind the ClusterIP Service "web"
    Then within 30 seconds 10 requests from a pod of "web" to "http://web" all succeed
    When a pod of "web" sends 20 requests to "http://web"
    Then every request succeeds

  @upstream:source-ip @needs:nodes>=3
  Scenario: A ClusterIP Service keeps the client pod's IP, from a client on each worker
    The one backend pod runs on one of the two workers, so one client is on its node and the other crosses nodes.
    Given the demo backend runs 1 replica behind the ClusterIP Service "web"
    When a client pod on node "kubequake-worker" sends 10 requests to "http://web"
    Then every request succeeds
    And every answer saw the sending pod's IP as the client address
    When a client pod on node "kubequake-worker2" sends 10 requests to "http://web"
    Then every request succeeds
    And every answer saw the sending pod's IP as the client address

  @upstream:same-port-tcp-udp
  Scenario: One port number serves TCP and UDP; removing one protocol's port stops that protocol only
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
          - { name: udp, port: 80, targetPort: 8080, protocol: UDP }
      """
    When a client pod sends 10 requests to "udp://dual:80"
    Then every request succeeds
    When a client pod sends 10 requests to "http://dual"
    Then every request succeeds
    When the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: dual }
      spec:
        selector: { app: web }
        ports:
          - { name: tcp, port: 80, targetPort: 8080, protocol: TCP }
      """
    Then within 30 seconds none of 5 requests to "udp://dual:80" succeeds
    When a client pod sends 10 requests to "http://dual"
    Then every request succeeds
    When the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: dual }
      spec:
        selector: { app: web }
        ports:
          - { name: udp, port: 80, targetPort: 8080, protocol: UDP }
      """
    Then within 30 seconds none of 5 requests to "http://dual" succeeds
    When a client pod sends 10 requests to "udp://dual:80"
    Then every request succeeds

  @upstream:up-and-down @upstream:service-recreated
  Scenario: A deleted Service's ClusterIP stops answering while another keeps its own; a new and a recreated Service answer
    The ClusterIPs are probed directly, without a DNS lookup, as upstream does: a name that no longer resolves would
    make "none succeeds" pass without saying anything about the address. {clusterIP:one} after the delete is the
    address "one" had. As upstream, from a pod and from a node's own network (a hostNetwork client), the latter
    once the pod's view has settled.

    Given the demo backend runs 2 replicas behind the ClusterIP Service "one"
    And the demo backend runs 2 replicas behind the ClusterIP Service "two"
    Then within 30 seconds 20 requests to "http://{clusterIP:one}" are answered by exactly the ready pods of "one"
    And within 30 seconds 20 requests to "http://{clusterIP:two}" are answered by exactly the ready pods of "two"
    When the Service "one" is deleted
    Then within 30 seconds none of 5 requests to "http://{clusterIP:one}" succeeds
    And within 30 seconds 20 requests to "http://{clusterIP:two}" are answered by exactly the ready pods of "two"
    When the demo backend runs 2 replicas behind the ClusterIP Service "three"
    Then within 30 seconds 20 requests to "http://{clusterIP:three}" are answered by exactly the ready pods of "three"
    And within 30 seconds 20 requests to "http://{clusterIP:two}" are answered by exactly the ready pods of "two"
    When a hostNetwork client on node "kubequake-worker" sends 5 requests to "http://{clusterIP:one}"
    Then no request succeeds
    When a hostNetwork client on node "kubequake-worker" sends 20 requests to "http://{clusterIP:two}"
    Then every request succeeds
    And only pods of "two" answered
    And every ready pod of "two" answered at least 1 request
    When a hostNetwork client on node "kubequake-worker" sends 20 requests to "http://{clusterIP:three}"
    Then every request succeeds
    And only pods of "three" answered
    And every ready pod of "three" answered at least 1 request
    When the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: one }
      spec:
        selector: { app: one }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    Then within 30 seconds 20 requests to "http://{clusterIP:one}" are answered by exactly the ready pods of "one"
    And within 30 seconds 20 requests to "http://one" are answered by exactly the ready pods of "one"
    When a hostNetwork client on node "kubequake-worker" sends 20 requests to "http://{clusterIP:one}"
    Then every request succeeds
    And only pods of "one" answered
    And every ready pod of "one" answered at least 1 request

  @upstream:adding-deleting-ports @upstream:multiport-endpoints
  Scenario: Named ports map to different container ports; adding a port forwards it, removing it stops forwarding
    Given the manifest:
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: { name: multi }
      spec:
        replicas: 1
        selector: { matchLabels: { app: multi } }
        template:
          metadata: { labels: { app: multi } }
          spec:
            containers:
              - name: backend
                image: kubequake.local/demo:current
                args: [backend]
                env: [{ name: EXTRA_LISTEN, value: ":9090" }]
                ports: [{ name: http, containerPort: 8080 }, { name: alt, containerPort: 9090 }]
                readinessProbe: { httpGet: { path: /readyz, port: 8080 }, periodSeconds: 1 }
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: multi }
      spec:
        selector: { app: multi }
        ports: [{ name: http, port: 80, targetPort: http }]
      """
    When the Service "multi" is patched with:
      """
      spec:
        ports:
          - { name: alt, port: 81, targetPort: alt }
      """
    And a client pod sends 10 requests to "http://multi:81"
    Then every request succeeds
    When the Deployment "multi" is patched with:
      """
      spec:
        replicas: 2
      """
    Then within 60 seconds the Deployment "multi" has `status.readyReplicas` equal to "2"
    And within 30 seconds 20 requests to "http://multi:81" are answered by at least 2 different pods
    And within 30 seconds 20 requests to "http://multi:80" are answered by at least 2 different pods
    When the Service "multi" is patched with:
      """
      spec:
        ports:
          - { port: 81, $patch: delete }
      """
    Then within 30 seconds none of 5 requests to "http://multi:81" succeeds
    When a client pod sends 10 requests to "http://multi"
    Then every request succeeds

  Scenario: Switching a Service's selector moves its traffic to the other pods (blue/green)
    Given the demo backend "blue" runs 1 replica
    And the demo backend "green" runs 1 replica
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: app }
      spec:
        selector: { app: blue }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    When a client pod sends 10 requests to "http://app"
    Then only pods of "blue" answered
    When the Service "app" selects pods labelled "app=green"
    And a client pod sends 10 requests to "http://app"
    Then every request succeeds
    And only pods of "green" answered
