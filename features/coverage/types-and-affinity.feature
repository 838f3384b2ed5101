Feature: Service types, affinity and names, as Kubernetes' own e2e checks them, written with the step catalog

  @upstream:affinity-clusterip @upstream:affinity-switch-clusterip
  Scenario: ClientIP affinity sticks, switching to None spreads, switching back sticks again
    Given the demo backend runs 3 replicas behind the ClusterIP Service "web" with ClientIP session affinity
    When a client pod sends 15 requests to "http://web"
    Then every request was answered by the same pod
    When the Service "web" switches to session affinity None
    Then within 30 seconds 30 requests to "http://web" are answered by at least 2 different pods
    When the Service "web" switches to session affinity ClientIP
    Then within 30 seconds 15 requests to "http://web" are all answered by the same pod

  @upstream:affinity-nodeport @upstream:affinity-switch-nodeport
  Scenario: Through a NodePort, ClientIP affinity sticks, switching to None spreads, switching back sticks again
    Given the demo backend runs 3 replicas behind the NodePort Service "web" with ClientIP session affinity
    Then within 30 seconds 5 requests from a client pod to the NodePort of "web" on every node all succeed
    When a client pod sends 15 requests to "http://{nodeIP:kubequake-worker}:{nodePort:web}"
    Then every request was answered by the same pod
    When the Service "web" switches to session affinity None
    Then within 30 seconds 30 requests to "http://{nodeIP:kubequake-worker}:{nodePort:web}" are answered by at least 2 different pods
    When the Service "web" switches to session affinity ClientIP
    Then within 30 seconds 15 requests to "http://{nodeIP:kubequake-worker}:{nodePort:web}" are all answered by the same pod

  @upstream:nodeport-out-of-range
  Scenario: A NodePort outside the range is refused on create and on update
    When the API server rejects the manifest with "provided port is not in the valid range":
      """
      apiVersion: v1
      kind: Service
      metadata: { name: low }
      spec:
        type: NodePort
        selector: { app: none }
        ports: [{ port: 80, targetPort: 8080, nodePort: 1234 }]
      """
    Given the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: np }
      spec:
        type: NodePort
        selector: { app: none }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    Then within 10 seconds the Service "np" has `spec.ports[0].nodePort` between 30000 and 32767
    When the API server rejects patching the Service "np" with "provided port is not in the valid range":
      """
      spec:
        ports: [{ port: 80, nodePort: 1234 }]
      """

  @upstream:externalname-to-clusterip
  Scenario: An ExternalName Service changed to ClusterIP gets a ClusterIP and serves by name
    Given the demo backend runs 1 replica behind the ClusterIP Service "web"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: ext }
      spec:
        type: ExternalName
        externalName: web.example.test
      """
    Then within 10 seconds the Service "ext" has `spec.clusterIP` not set
    When the Service "ext" is patched with:
      """
      spec:
        type: ClusterIP
        externalName: null
        selector: { app: web }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    Then within 10 seconds the Service "ext" has `spec.clusterIP` matching "^([0-9]{1,3}[.]){3}[0-9]{1,3}$|^[0-9a-f]*:[0-9a-f:]+$"
    When a client pod sends 10 requests to "http://ext"
    Then every request succeeds

  @upstream:clusterip-to-externalname
  Scenario: A ClusterIP Service changed to ExternalName for another Service loses its ClusterIP and serves through the CNAME
    Given the demo backend runs 1 replica behind the ClusterIP Service "target"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: web }
      spec:
        selector: { app: none }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    Then within 10 seconds the Service "web" has `spec.clusterIP` matching "^([0-9]{1,3}[.]){3}[0-9]{1,3}$|^[0-9a-f]*:[0-9a-f:]+$"
    When the Service "web" becomes an ExternalName for the Service "target"
    Then within 10 seconds the Service "web" has `spec.clusterIP` not set
    And within 30 seconds "web" is an alias of the Service "target"
    And within 30 seconds "web.{namespace}.svc.cluster.local" resolves to the ClusterIP of "target"
    When a client pod sends 10 requests to "http://web"
    Then every request succeeds
    And only pods of "target" answered

  @upstream:dns-hostnetwork-services
  Scenario: A hostNetwork pod (dnsPolicy ClusterFirstWithHostNet) resolves a short Service name and reaches it
    Given the demo backend runs 1 replica behind the ClusterIP Service "web"
    When a hostNetwork client on node "kubequake-worker" sends 5 requests to "http://web"
    Then every request succeeds

  @upstream:externalname-to-nodeport
  Scenario: An ExternalName Service changed to NodePort gets a ClusterIP and an allocated NodePort, and serves by name, ClusterIP and every worker's NodePort
    Given the demo backend runs 1 replica behind the ClusterIP Service "web"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: ext }
      spec:
        type: ExternalName
        externalName: web.example.test
      """
    When the Service "ext" is patched with:
      """
      spec:
        type: NodePort
        externalName: null
        selector: { app: web }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    Then within 10 seconds the Service "ext" has `spec.clusterIP` matching "^([0-9]{1,3}[.]){3}[0-9]{1,3}$|^[0-9a-f]*:[0-9a-f:]+$"
    And within 10 seconds the Service "ext" has `spec.ports[0].nodePort` between 30000 and 32767
    When the client pod "c" is:
      """
      spec: {}
      """
    Then within 30 seconds 10 requests from the pod "c" to "http://ext" all succeed
    And within 30 seconds 10 requests from the pod "c" to "http://{clusterIP:ext}" all succeed
    And within 30 seconds 10 requests from the pod "c" to "http://{nodeIP:kubequake-worker}:{nodePort:ext}" all succeed
    And within 30 seconds 10 requests from the pod "c" to "http://{nodeIP:kubequake-worker2}:{nodePort:ext}" all succeed

  @upstream:nodeport-to-externalname
  Scenario: A NodePort Service changed to ExternalName for another Service loses its ClusterIP and NodePort and serves through the CNAME
    Given the demo backend runs 1 replica behind the ClusterIP Service "target"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: np }
      spec:
        type: NodePort
        selector: { app: none }
        ports: [{ port: 80, targetPort: 8080, nodePort: 31922 }]
      """
    When the Service "np" becomes an ExternalName for the Service "target"
    Then within 10 seconds the Service "np" has `spec.clusterIP` not set
    And within 10 seconds the Service "np" has `spec.ports[0].nodePort` not set
    And within 30 seconds "np" is an alias of the Service "target"
    And within 30 seconds "np.{namespace}.svc.cluster.local" resolves to the ClusterIP of "target"
    When a client pod sends 10 requests to "http://np"
    Then every request succeeds
    And only pods of "target" answered
    Given the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: reuse }
      spec:
        type: NodePort
        selector: { app: none }
        ports: [{ port: 80, targetPort: 8080, nodePort: 31922 }]
      """
    Then within 10 seconds the Service "reuse" has `spec.ports[0].nodePort` equal to "31922"

  @upstream:affinity-timeout-clusterip
  Scenario: ClientIP affinity holds within its timeout and lapses after it
    Given the demo backend runs 3 replicas behind the ClusterIP Service "web" with ClientIP session affinity of 2 seconds
    When a client pod sends 15 requests to "http://web"
    Then every request was answered by the same pod
    When a client pod sends 6 requests to "http://web", 4 seconds apart
    Then every request succeeds
    And the requests were answered by at least 2 different pods

  @upstream:affinity-timeout-nodeport
  Scenario: Through a NodePort, ClientIP affinity holds within its timeout and lapses after it
    Given the demo backend runs 3 replicas behind the NodePort Service "web" with ClientIP session affinity of 2 seconds
    When a client pod sends 15 requests to "http://{nodeIP:kubequake-worker}:{nodePort:web}"
    Then every request was answered by the same pod
    When a client pod sends 8 requests to "http://{nodeIP:kubequake-worker}:{nodePort:web}", 3 seconds apart
    Then every request succeeds
    And the requests were answered by at least 2 different pods
