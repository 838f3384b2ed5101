Feature: DNS names, unready endpoints, traffic policies and restarts, as Kubernetes' own e2e checks them

  @upstream:dns-pod-hostname @upstream:dns-pod-subdomain
  Scenario: A pod with hostname and subdomain gets an A record under the headless Service of that name
    When the client pod "named" is:
      """
      metadata:
        labels: { role: named }
      spec:
        hostname: myhost
        subdomain: sub
      """
    And the headless Service "sub" selects pods labelled "role=named"
    Then within 30 seconds "myhost.sub" resolves to the IP of pod "named"

  @upstream:unready-endpoints-published
  Scenario: publishNotReadyAddresses keeps an unready pod in DNS; turning it off drops it, turning it on brings it back
    Given the demo backend "peers" runs 2 replicas
    And the headless Service "peers" selects pods labelled "app=peers" and publishes not-ready addresses
    When 1 pod of "peers" turns unready
    Then within 30 seconds "peers" resolves to the IPs of all 2 pods of "peers", ready or not
    When the Service "peers" is patched with:
      """
      spec:
        publishNotReadyAddresses: false
      """
    Then within 30 seconds "peers" resolves to the IPs of the 1 ready pod of "peers"
    When the Service "peers" is patched with:
      """
      spec:
        publishNotReadyAddresses: true
      """
    Then within 30 seconds "peers" resolves to the IPs of all 2 pods of "peers", ready or not

  @upstream:unready-endpoints-published
  Scenario: A never-ready pod answers through a ClusterIP Service that publishes not-ready addresses; terminating, it stops answering when the flag is turned off and answers again when it is turned back on
    The pod's readiness probe dials a port nothing listens on, so it is never ready; on SIGTERM it keeps serving for
    100 seconds, long enough for both toggles of publishNotReadyAddresses after the Deployment is scaled to 0.
    Given the manifest, without waiting for its Services:
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: { name: tolerate-unready }
      spec:
        replicas: 1
        strategy: { type: Recreate }
        selector: { matchLabels: { app: tolerate-unready } }
        template:
          metadata: { labels: { app: tolerate-unready } }
          spec:
            terminationGracePeriodSeconds: 120
            containers:
              - name: backend
                image: kubequake.local/demo:current
                args: [backend]
                env: [{ name: SHUTDOWN_DELAY, value: 100s }]
                readinessProbe: { tcpSocket: { port: 9 }, periodSeconds: 1 }
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: tolerate-unready }
      spec:
        publishNotReadyAddresses: true
        selector: { app: tolerate-unready }
        ports: [{ name: http, port: 80, targetPort: 8080 }]
      """
    And the client pod "c" is:
      """
      spec: {}
      """
    Then within 60 seconds the Service "tolerate-unready" has 1 ready endpoint, 0 of them serving
    And within 30 seconds 5 requests from the pod "c" to "http://tolerate-unready" all succeed
    When the Deployment "tolerate-unready" is patched with:
      """
      spec:
        replicas: 0
      """
    Then within 30 seconds the Service "tolerate-unready" has 1 terminating endpoint still listed as ready
    When the Service "tolerate-unready" is patched with:
      """
      spec:
        publishNotReadyAddresses: false
      """
    Then within 30 seconds none of 5 requests from the pod "c" to "http://tolerate-unready" succeeds
    When the Service "tolerate-unready" is patched with:
      """
      spec:
        publishNotReadyAddresses: true
      """
    Then within 30 seconds 5 requests from the pod "c" to "http://tolerate-unready" all succeed

  @upstream:dns-services @upstream:dns-partial-services
  Scenario: Headless Service A and SRV records, by short (partially qualified) names
    Given the demo backend "db" runs 2 replicas as a StatefulSet behind the headless Service "db"
    Then within 30 seconds "db" resolves to the IPs of the 2 ready pods of "db"
    And within 30 seconds the SRV records of "_http._tcp.db" name port 8080 on each of the 2 ready pods of "db"
    And within 30 seconds "db-0.db" resolves to the IP of pod "db-0"

  @upstream:itp-local-pod @upstream:itp-local-hostnetwork-client
  Scenario: internalTrafficPolicy Local serves clients on the endpoint's node only, pods and hostNetwork clients alike
    Given the manifest:
      """
      apiVersion: v1
      kind: Pod
      metadata:
        name: local-backend
        labels: { app: local-backend }
      spec:
        nodeName: kubequake-worker
        containers:
          - name: backend
            image: kubequake.local/demo:current
            args: [backend]
            readinessProbe: { httpGet: { path: /readyz, port: 8080 }, periodSeconds: 1 }
      """
    And the manifest, without waiting for its Services:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: local }
      spec:
        internalTrafficPolicy: Local
        selector: { app: local-backend }
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
    When the pod "far" sends 5 requests to "http://local"
    Then no request succeeds
    When a hostNetwork client on node "kubequake-worker" sends 5 requests to "http://local"
    Then every request succeeds
    When a hostNetwork client on node "kubequake-worker2" sends 5 requests to "http://local"
    Then no request succeeds

  @serial @needs:node-chaos @upstream:kube-proxy-restart
  Scenario: Services work after kube-proxy restarts, old and new
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    When kube-proxy is stopped on every node
    And the faults are undone
    Then within 60 seconds 20 requests to "http://web" are answered by exactly the ready pods of "web"
    When the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata: { name: after }
      spec:
        selector: { app: web }
        ports: [{ port: 80, targetPort: 8080 }]
      """
    And a client pod sends 10 requests to "http://after"
    Then every request succeeds
