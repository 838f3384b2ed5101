@epic:outside @needs:outside-clients
Feature: A NodePort Service answers outside the cluster on every node
  A NodePort Service opens the same port on every node's address (kube-proxy), whether or not the node runs one of
  its pods. The outside client is a container on the kind Docker network, next to the nodes, with its own address;
  the host is this machine itself. Every request is a new TCP connection.

  Scenario: The NodePort answers on every node from an outside client, the host and a pod
    Given the demo backend runs 2 replicas behind the NodePort Service "web"
    Then within 30 seconds 10 requests from an outside client to the NodePort of "web" on every node all succeed
    And only pods of "web" answered
    And within 30 seconds 10 requests from the host to the NodePort of "web" on every node all succeed
    And within 30 seconds 10 requests from a client pod to the NodePort of "web" on every node all succeed

  Scenario: ClientIP session affinity holds through the NodePort of each node
    Given the demo backend runs 3 replicas behind the NodePort Service "web" with ClientIP session affinity
    Then within 30 seconds 20 requests from an outside client to the NodePort of "web" on every node all succeed
    And each client was answered by a single pod

  Scenario: A taken or out-of-range NodePort is refused, and a released one can be taken again
    Given the demo backend runs 1 replica behind the NodePort Service "web"
    Then the API server rejects a NodePort Service "copy" on the NodePort of "web" with "provided port is already allocated"
    And the API server rejects the manifest with "provided port is not in the valid range":
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: out-of-range
      spec:
        type: NodePort
        selector:
          app: web
        ports:
          - port: 80
            targetPort: 8080
            nodePort: 40000
      """
    When the Service "web" is deleted and a NodePort Service "again" takes its NodePort
    Then within 30 seconds 10 requests from an outside client to the NodePort of "again" on every node all succeed
