@epic:outside @needs:outside-clients
Feature: Traffic policies decide which nodes answer and whether the client's address survives
  externalTrafficPolicy Cluster lets every node answer and rewrites an outside client's address (SNAT), so any node
  can forward it; Local keeps the client's own address and only nodes with a ready local endpoint answer, which a
  load balancer learns from the healthCheckNodePort (200 there, 503 elsewhere). internalTrafficPolicy Local does the
  same for clients inside the cluster. A pod calling a ClusterIP keeps its own address.
  https://kubernetes.io/docs/reference/networking/virtual-ips/#traffic-policies

  @upstream:etp-local-nodeport @upstream:etp-change-healthcheck-nodeport
  Scenario: Cluster rewrites an outside client's address; Local keeps it and only nodes with a ready pod answer
    Given the demo backend runs 1 replica behind the NodePort Service "web"
    Then within 30 seconds 5 requests from an outside client to the NodePort of "web" on every node all succeed
    And every answer saw a rewritten client address, not the sender's
    When the Service "web" switches to externalTrafficPolicy Local
    Then within 30 seconds 3 requests from an outside client to the NodePort of "web" on every node are answered only by the nodes running a ready pod of "web"
    And every answer saw the sender's own address

  @upstream:etp-change-healthcheck-nodeport
  Scenario: The healthCheckNodePort says 200 on nodes with a ready pod and 503 on the others
    Given the demo backend "web" runs 1 replica
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: web
      spec:
        type: LoadBalancer
        externalTrafficPolicy: Local
        selector:
          app: web
        ports:
          - port: 80
            targetPort: 8080
      """
    Then within 30 seconds the health-check NodePort of "web" answers 200 only on the nodes running a ready pod of "web"
    When "web" is scaled to 0 replicas
    Then within 30 seconds the health-check NodePort of "web" answers 200 only on the nodes running a ready pod of "web"

  Scenario: A pod keeps its address through a ClusterIP; internalTrafficPolicy Local lets only clients beside a ready pod through
    Given the demo backend runs 1 replica behind the ClusterIP Service "web"
    When a client pod sends 10 requests to "http://web"
    Then every request succeeds
    And every answer saw the sending pod's IP as the client address
    When the Service "web" switches to internalTrafficPolicy Local
    Then within 30 seconds 3 requests to "http://web" from a client pod on each node succeed only where a ready pod of "web" runs
