@epic:routing
Feature: A ClusterIP Service routes to every ready backend
  kube-proxy spreads new connections over the ready endpoints of a ClusterIP Service, only pods matching the
  selector become endpoints, and a Service without ready endpoints rejects connections at once.

  Scenario: Requests spread across all ready pods
    Given the demo backend runs 3 replicas behind the ClusterIP Service "web"
    When a client pod sends 300 requests to "http://web"
    Then every request succeeds
    And every ready pod of "web" answered at least 50 requests
    And the requests split evenly over the ready pods of "web" within 45%

  @needs:nodes>=3
  Scenario: Clients on either worker node reach every ready pod
    Given the demo backend runs 3 replicas behind the ClusterIP Service "web"
    When a client pod on node "kubequake-worker" sends 150 requests to "http://web"
    Then every request succeeds
    And every ready pod of "web" answered at least 20 requests
    When a client pod on node "kubequake-worker2" sends 150 requests to "http://web"
    Then every request succeeds
    And every ready pod of "web" answered at least 20 requests

  Scenario: Only pods matching the selector answer
    Given the demo backend "web" runs 2 replicas
    And the demo backend "canary" runs 2 replicas
    And the ClusterIP Service "web" selects pods labelled "app=web"
    When a client pod sends 100 requests to "http://web"
    Then every request succeeds
    And only pods of "web" answered
    And every ready pod of "web" answered at least 20 requests

  # kube-proxy REJECTs connections to a Service without endpoints with ICMP port-unreachable, and the node's kernel
  # rate-limits those replies per client (net.ipv4.icmp_ratelimit = 1 s after a burst of 6). A faster burst sees
  # some connections time out instead — a real effect, so this scenario stays under the limit.
  Scenario: A Service without ready endpoints refuses connections instead of timing out
    Given the ClusterIP Service "nobody" selects pods labelled "app=nobody"
    When a client pod sends 5 requests to "http://nobody", 1 second apart
    Then every request is refused

  Scenario: The frontend reaches the backend by its Service name
    Given the demo backend runs 2 replicas behind the ClusterIP Service "backend"
    And the demo frontend "frontend" calls "http://backend"
    When a client pod sends 60 requests to "http://frontend"
    Then every request succeeds
    And every ready pod of "backend" answered at least 10 requests

  Scenario: Your own workload, from a manifest file and an inline Service, is routed like any other
    Given the manifest "features/manifests/echo-deployment.yaml"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: echo
      spec:
        selector: {app: echo}
        ports: [{port: 80, targetPort: 8080}]
      """
    Then within 60 seconds the Service "echo" has 2 ready endpoints
    And within 30 seconds the ready endpoints of "echo" are exactly the ready pods of "echo"
    And within 30 seconds 60 requests to "http://echo" are answered by exactly the ready pods of "echo"
