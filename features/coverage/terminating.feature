Feature: Terminating and unready endpoints, as Kubernetes' own e2e checks them, written with the step catalog
  The backend pods drain for 60 seconds after SIGTERM: their readiness fails at once while they keep serving. Pods
  whose readiness probe is /healthz stay "serving" while terminating (the case of the fallback checks).

  @upstream:terminating-unready-published @upstream:terminating-unready-not-published
  Scenario: A terminating, unready pod is reached through the ClusterIP and every node's NodePort only when its Service publishes not-ready addresses
    The pod runs on kubequake-worker and every client on kubequake-worker2, so each path crosses nodes; the NodePort
    of the pod's own node and of the client's node are both tried, as upstream does.
    Given the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: draining, labels: { app: draining } }
      spec:
        nodeName: kubequake-worker
        terminationGracePeriodSeconds: 120
        containers:
          - name: backend
            image: kubequake.local/demo:current
            args: [backend]
            env: [{ name: SHUTDOWN_DELAY, value: 90s }]
            readinessProbe: { httpGet: { path: /readyz, port: 8080 }, periodSeconds: 1, failureThreshold: 1 }
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: published }
      spec:
        type: NodePort
        publishNotReadyAddresses: true
        selector: { app: draining }
        ports: [{ port: 80, targetPort: 8080 }]
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: unpublished }
      spec:
        type: NodePort
        selector: { app: draining }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    And the client pod "far" is:
      """
      spec: { nodeName: kubequake-worker2 }
      """
    # While the pod is ready both Services answer on every path, so the failures below come from its termination.
    And within 30 seconds 5 requests from the pod "far" to "http://unpublished" all succeed
    And within 30 seconds 5 requests from a client pod on node "kubequake-worker2" to the NodePort of "unpublished" on node "kubequake-worker" all succeed
    And within 30 seconds 5 requests from a client pod on node "kubequake-worker2" to the NodePort of "unpublished" on node "kubequake-worker2" all succeed
    When the Pod "draining" is deleted without waiting for it to go
    Then within 30 seconds the Service "unpublished" has 0 ready endpoints
    And within 30 seconds none of 5 requests from the pod "far" to "http://unpublished" succeeds
    And within 30 seconds none of 5 requests from a client pod on node "kubequake-worker2" to the NodePort of "unpublished" on node "kubequake-worker" succeeds
    And within 30 seconds none of 5 requests from a client pod on node "kubequake-worker2" to the NodePort of "unpublished" on node "kubequake-worker2" succeeds
    # Upstream then checks the paths stay shut; a second round must fail too.
    When the pod "far" sends 5 requests to "http://unpublished"
    Then no request succeeds
    When a client pod on node "kubequake-worker2" sends 5 requests to the NodePort of "unpublished" on node "kubequake-worker"
    Then no request succeeds
    When a client pod on node "kubequake-worker2" sends 5 requests to the NodePort of "unpublished" on node "kubequake-worker2"
    Then no request succeeds
    When the pod "far" sends 10 requests to "http://published"
    Then every request succeeds
    When a client pod on node "kubequake-worker2" sends 5 requests to the NodePort of "published" on node "kubequake-worker"
    Then every request succeeds
    When a client pod on node "kubequake-worker2" sends 5 requests to the NodePort of "published" on node "kubequake-worker2"
    Then every request succeeds

  @upstream:terminating-fallback-itp-cluster @upstream:terminating-fallback-etp-cluster
  Scenario: With no ready endpoint left, a terminating but serving pod still answers clients on both nodes through the ClusterIP and its node's NodePort
    The pod runs on kubequake-worker; "near" shares its node and "far" does not, so the fallback is checked on the
    endpoint's node and across nodes.
    Given the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: last, labels: { app: last } }
      spec:
        nodeName: kubequake-worker
        terminationGracePeriodSeconds: 90
        containers:
          - name: backend
            image: kubequake.local/demo:current
            args: [backend]
            env: [{ name: SHUTDOWN_DELAY, value: 60s }]
            readinessProbe: { httpGet: { path: /healthz, port: 8080 }, periodSeconds: 1 }
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: last }
      spec:
        type: NodePort
        selector: { app: last }
        ports: [{ port: 80, targetPort: 8080, nodePort: 31923 }]
      """
    And the client pod "near" is:
      """
      spec: { nodeName: kubequake-worker }
      """
    And the client pod "far" is:
      """
      spec: { nodeName: kubequake-worker2 }
      """
    When the Pod "last" is deleted without waiting for it to go
    Then within 30 seconds the Service "last" has 0 ready endpoints
    When the pod "near" sends 10 requests to "http://last"
    Then every request succeeds
    When the pod "far" sends 10 requests to "http://last"
    Then every request succeeds
    When the pod "near" sends 10 requests to "http://{nodeIP:kubequake-worker}:31923"
    Then every request succeeds
    When the pod "far" sends 10 requests to "http://{nodeIP:kubequake-worker}:31923"
    Then every request succeeds

  @upstream:terminating-fallback-itp-local
  Scenario: With internalTrafficPolicy Local and no ready endpoint, only a client on the terminating pod's node is served
    Given the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: last, labels: { app: last } }
      spec:
        nodeName: kubequake-worker
        terminationGracePeriodSeconds: 90
        containers:
          - name: backend
            image: kubequake.local/demo:current
            args: [backend]
            env: [{ name: SHUTDOWN_DELAY, value: 60s }]
            readinessProbe: { httpGet: { path: /healthz, port: 8080 }, periodSeconds: 1 }
      """
    And the manifest, without waiting for its Services:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: local }
      spec:
        internalTrafficPolicy: Local
        selector: { app: last }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    And the client pod "near" is:
      """
      spec: { nodeName: kubequake-worker }
      """
    And the client pod "far" is:
      """
      spec: { nodeName: kubequake-worker2 }
      """
    Then within 30 seconds 5 requests from the pod "near" to "http://local" all succeed
    When the Pod "last" is deleted without waiting for it to go
    Then within 30 seconds the Service "local" has 0 ready endpoints
    When the pod "near" sends 10 requests to "http://local"
    Then every request succeeds
    When the pod "far" sends 5 requests to "http://local"
    Then no request succeeds

  @upstream:itp-local-hostnetwork-backend
  Scenario: internalTrafficPolicy Local with a hostNetwork backend serves clients on its node only, pods and hostNetwork clients alike
    Given the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: host-backend, labels: { app: host-backend } }
      spec:
        nodeName: kubequake-worker
        hostNetwork: true
        containers:
          - name: backend
            image: kubequake.local/demo:current
            args: [backend]
            env: [{ name: LISTEN, value: ":28931" }]
            readinessProbe: { httpGet: { path: /readyz, port: 28931 }, periodSeconds: 1 }
      """
    And the manifest, without waiting for its Services:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: local }
      spec:
        internalTrafficPolicy: Local
        selector: { app: host-backend }
        ports: [{ port: 80, targetPort: 28931 }]
      """
    And the client pod "near" is:
      """
      spec: { nodeName: kubequake-worker }
      """
    And the client pod "far" is:
      """
      spec: { nodeName: kubequake-worker2 }
      """
    Then within 30 seconds 5 requests from the pod "near" to "http://local" all succeed
    When the pod "far" sends 5 requests to "http://local"
    Then no request succeeds
    When a hostNetwork client on node "kubequake-worker" sends 5 requests to "http://local"
    Then every request succeeds
    When a hostNetwork client on node "kubequake-worker2" sends 5 requests to "http://local"
    Then no request succeeds
