Feature: DNS names, unready endpoints, traffic policies and restarts, as Kubernetes' own e2e checks them

  @upstream:dns-pod-hostname @upstream:dns-pod-subdomain
  Scenario: A pod with hostname and subdomain under a headless Service resolves its own names, and DNS answers them over UDP and TCP
    When the client pod "named" is:
      """
      metadata:
        labels: { role: named }
      spec:
        hostname: myhost
        subdomain: sub
      """
    And the headless Service "sub" selects pods labelled "role=named"
    Then the pod "named" sees its own hostname as "myhost"
    And within 30 seconds the pod "named" resolves "myhost" to the IP of pod "named"
    And within 30 seconds the pod "named" resolves "myhost.sub.{namespace}.svc.cluster.local" to the IP of pod "named"
    And within 30 seconds "myhost.sub.{namespace}.svc.cluster.local" resolves to the IP of pod "named"
    And within 30 seconds "sub.{namespace}.svc.cluster.local" resolves to the IP of pod "named"
    When the scenario's DNS lookups go over TCP
    Then within 30 seconds "myhost.sub.{namespace}.svc.cluster.local" resolves to the IP of pod "named"
    And within 30 seconds "sub.{namespace}.svc.cluster.local" resolves to the IP of pod "named"

  # The pod resolves through its own resolver, /etc/hosts first (as upstream's `getent hosts`); the last step shows the
  # FQDN is not in cluster DNS (no Service "no-such-service"), so the answer can only have come from /etc/hosts.
  @upstream:dns-etc-hosts
  Scenario: A pod's /etc/hosts names its hostname and FQDN even where cluster DNS does not
    When the client pod "named" is:
      """
      spec:
        hostname: myhost
        subdomain: no-such-service
      """
    Then within 30 seconds the pod "named" resolves "myhost" to the IP of pod "named"
    And within 30 seconds the pod "named" resolves "myhost.no-such-service.{namespace}.svc.cluster.local" to the IP of pod "named"
    And within 10 seconds "myhost.no-such-service.{namespace}.svc.cluster.local" does not resolve

  # The hostname is read by an ephemeral container added to each pod (the demo image has no shell to run `hostname`):
  # it shares the pod's UTS namespace, and reports what the kernel answers there. The hostNetwork client pod's prober
  # listens on the node's port 8080, which nothing else on kubequake-worker uses.
  @upstream:dns-hostname-honoured @upstream:dns-hostname-ignored-hostnetwork
  Scenario: spec.hostname is a pod's hostname, but a hostNetwork pod keeps its node's hostname
    When the client pod "named" is:
      """
      spec:
        hostname: myhost
      """
    Then the pod "named" sees its own hostname as "myhost"
    When the client pod "on-node" is:
      """
      spec:
        hostname: myhost
        hostNetwork: true
        dnsPolicy: ClusterFirstWithHostNet
        nodeName: kubequake-worker
      """
    Then the pod "on-node" sees its own hostname as "kubequake-worker"

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
    Then within 60 seconds the EndpointSlices of "tolerate-unready" have 1 ready endpoint and 0 ready serving endpoints
    And within 30 seconds 5 requests from the pod "c" to "http://tolerate-unready" all succeed
    When the Deployment "tolerate-unready" is patched with:
      """
      spec:
        replicas: 0
      """
    Then within 30 seconds the EndpointSlices of "tolerate-unready" have 1 ready terminating endpoint
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

  # Upstream also asks for the PTR record of the regular Service's ClusterIP (UDP and TCP). Not here yet: the prober
  # (images/demo/dnsprobe.go) resolves A, AAAA, SRV and CNAME only, and a PTR type needs an image rebuild.
  @upstream:dns-services @upstream:dns-partial-services
  Scenario: A headless and a regular Service answer A and SRV records by full and partial names, over UDP and TCP
    Given the demo backend "db" runs 2 replicas as a StatefulSet behind the headless Service "db"
    And the ClusterIP Service "regular" selects pods labelled "app=db"
    Then within 30 seconds "db.{namespace}.svc.cluster.local" resolves to the IPs of the 2 ready pods of "db"
    And within 30 seconds "db.{namespace}.svc" resolves to the IPs of the 2 ready pods of "db"
    And within 30 seconds "db.{namespace}" resolves to the IPs of the 2 ready pods of "db"
    And within 30 seconds "db" resolves to the IPs of the 2 ready pods of "db"
    And within 30 seconds the SRV records of "_http._tcp.db.{namespace}.svc.cluster.local" name port 8080 on each of the 2 ready pods of "db"
    And within 30 seconds the SRV records of "_http._tcp.db.{namespace}.svc" name port 8080 on each of the 2 ready pods of "db"
    And within 30 seconds the SRV record of "_http._tcp.regular.{namespace}.svc.cluster.local" names port 80 of the Service "regular"
    And within 30 seconds the SRV record of "_http._tcp.regular.{namespace}.svc" names port 80 of the Service "regular"
    And within 30 seconds "db-0.db" resolves to the IP of pod "db-0"
    When the scenario's DNS lookups go over TCP
    Then within 30 seconds "db.{namespace}.svc.cluster.local" resolves to the IPs of the 2 ready pods of "db"
    And within 30 seconds "db.{namespace}.svc" resolves to the IPs of the 2 ready pods of "db"
    And within 30 seconds "db.{namespace}" resolves to the IPs of the 2 ready pods of "db"
    And within 30 seconds "db" resolves to the IPs of the 2 ready pods of "db"
    And within 30 seconds the SRV records of "_http._tcp.db.{namespace}.svc.cluster.local" name port 8080 on each of the 2 ready pods of "db"
    And within 30 seconds the SRV records of "_http._tcp.db.{namespace}.svc" name port 8080 on each of the 2 ready pods of "db"
    And within 30 seconds the SRV record of "_http._tcp.regular.{namespace}.svc.cluster.local" names port 80 of the Service "regular"
    And within 30 seconds the SRV record of "_http._tcp.regular.{namespace}.svc" names port 80 of the Service "regular"

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
