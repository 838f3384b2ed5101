@epic:coverage
Feature: A Service's targetPort reaches the pod's port wherever the pod declares it
  A numeric targetPort is the port on the pod; a named one is looked up in each pod separately, so pods behind one
  Service may serve the same port name on different numbers, and a port of a sidecar (a restartable init container)
  is a port of the pod like any other.
  https://kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports

  @upstream:named-targetport-different-ports
  Scenario: A named targetPort follows each pod's own number for that name as pods are replaced
    Given the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: testpod0, labels: { app: mutable } }
      spec:
        containers:
          - name: backend
            image: kubequake.local/demo:current
            args: [backend]
            env: [{ name: LISTEN, value: ":8080" }]
            ports: [{ name: mutable-port, containerPort: 8080 }]
            readinessProbe: { httpGet: { path: /readyz, port: 8080 }, periodSeconds: 1 }
      ---
      apiVersion: v1
      kind: Pod
      metadata: { name: testpod1, labels: { app: mutable } }
      spec:
        containers:
          - name: backend
            image: kubequake.local/demo:current
            args: [backend]
            env: [{ name: LISTEN, value: ":8080" }]
            ports: [{ name: mutable-port, containerPort: 8080 }]
            readinessProbe: { httpGet: { path: /readyz, port: 8080 }, periodSeconds: 1 }
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: mutable }
      spec:
        selector: { app: mutable }
        ports: [{ name: mutable, port: 8001, targetPort: mutable-port }]
      """
    Then within 30 seconds 20 requests to "http://mutable:8001" are answered by exactly the ready pods of "mutable"
    When the Pod "testpod0" is deleted
    And the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: testpod2, labels: { app: mutable } }
      spec:
        containers:
          - name: backend
            image: kubequake.local/demo:current
            args: [backend]
            env: [{ name: LISTEN, value: ":8000" }]
            ports: [{ name: mutable-port, containerPort: 8000 }]
            readinessProbe: { httpGet: { path: /readyz, port: 8000 }, periodSeconds: 1 }
      """
    Then within 30 seconds 20 requests to "http://mutable:8001" are answered by exactly the ready pods of "mutable"
    When the Pod "testpod1" is deleted
    And the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: testpod3, labels: { app: mutable } }
      spec:
        containers:
          - name: backend
            image: kubequake.local/demo:current
            args: [backend]
            env: [{ name: LISTEN, value: ":8000" }]
            ports: [{ name: mutable-port, containerPort: 8000 }]
            readinessProbe: { httpGet: { path: /readyz, port: 8000 }, periodSeconds: 1 }
      """
    Then within 30 seconds 20 requests to "http://mutable:8001" are answered by exactly the ready pods of "mutable"

  # The main container serves another port, so an answer on 8080 can only come from the sidecar.
  @upstream:sidecar-ports @upstream:sidecar-named-ports
  Scenario Outline: A port that only a sidecar serves is reached through the Service, by number and by name
    Given the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata: { name: sidecar-port, labels: { app: sidecar } }
      spec:
        initContainers:
          - name: sidecar
            image: kubequake.local/demo:current
            args: [backend]
            restartPolicy: Always
            env: [{ name: LISTEN, value: ":8080" }]
            ports: [{ name: http-sidecar, containerPort: 8080 }]
            readinessProbe: { httpGet: { path: /readyz, port: 8080 }, periodSeconds: 1 }
        containers:
          - name: main
            image: kubequake.local/demo:current
            args: [backend]
            env: [{ name: LISTEN, value: ":9090" }]
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: sidecar }
      spec:
        selector: { app: sidecar }
        ports: [{ name: http-sidecar, port: 8080, targetPort: <targetPort> }]
      """
    Then within 30 seconds 20 requests to "http://sidecar:8080" are answered by exactly the ready pods of "sidecar"

    Examples:
      | targetPort   |
      | 8080         |
      | http-sidecar |
