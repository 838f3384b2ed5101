Feature: Terminating and unready endpoints, as Kubernetes' own e2e checks them, written with the step catalog
  The backend pods drain for 60 seconds after SIGTERM: their readiness fails at once while they keep serving. Pods
  whose readiness probe is /healthz stay "serving" while terminating (the case of the fallback checks).

  @upstream:terminating-unready-published @upstream:terminating-unready-not-published
  Scenario: A terminating, unready pod is reached only through a Service that publishes not-ready addresses
    Given the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: draining, labels: { app: draining } }
      spec:
        terminationGracePeriodSeconds: 90
        containers:
          - name: backend
            image: kubequake.local/demo:current
            args: [backend]
            env: [{ name: SHUTDOWN_DELAY, value: 60s }]
            readinessProbe: { httpGet: { path: /readyz, port: 8080 }, periodSeconds: 1, failureThreshold: 1 }
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: published }
      spec:
        publishNotReadyAddresses: true
        selector: { app: draining }
        ports: [{ port: 80, targetPort: 8080 }]
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: unpublished }
      spec:
        selector: { app: draining }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    When the Pod "draining" is deleted without waiting for it to go
    Then within 30 seconds the Service "unpublished" has 0 ready endpoints
    And within 30 seconds none of 5 requests to "http://unpublished" succeeds
    When a client pod sends 10 requests to "http://published"
    Then every request succeeds

  @upstream:terminating-fallback-itp-cluster @upstream:terminating-fallback-etp-cluster
  Scenario: With no ready endpoint left, a terminating but serving pod still answers through the ClusterIP and a NodePort
    Given the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: last, labels: { app: last } }
      spec:
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
    When the Pod "last" is deleted without waiting for it to go
    Then within 30 seconds the Service "last" has 0 ready endpoints
    When a client pod sends 10 requests to "http://last"
    Then every request succeeds
    When the client pod "c" is:
      """
      spec: {}
      """
    Then within 30 seconds 10 requests from the pod "c" to "http://{nodeIP:kubequake-worker2}:31923" all succeed

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
  Scenario: internalTrafficPolicy Local with a hostNetwork backend serves clients on its node only
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
