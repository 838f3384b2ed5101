@epic:routing @needs:ipv6
Feature: On a dual-stack cluster a Service has a ClusterIP per family, and each one routes
  On a dual-stack cluster (kubequake --ip-family dual) a Service stays single-stack unless it asks for more: one
  ClusterIP of the cluster's primary family, IPv4 on kubequake's dual-stack cluster. With ipFamilyPolicy
  PreferDualStack or RequireDualStack the API server allocates an IPv6 ClusterIP beside it, kube-proxy programs both
  families, and CoreDNS answers the name's AAAA record with it. Back to SingleStack, the IPv6 ClusterIP is released.
  The new address and its AAAA record come first (measured: the AAAA answer 0.05–0.07 s after the change). Until
  kube-proxy has programmed the new address on the client's node, a packet to it follows the node's default route
  to the host, where kubequake's network seal refuses it (150 of 150 requests sent at once were refused so, and the
  seal logged them: without it they would have left the machine), so the scenarios wait for it to answer first.

  Scenario: A single-stack Service gains an IPv6 ClusterIP that reaches every ready pod, and an AAAA record
    Given the demo backend runs 3 replicas behind the ClusterIP Service "web"
    Then within 5 seconds the Service "web" has ClusterIPs of the families "IPv4"
    And within 20 seconds "web" has no IPv6 address
    When the Service "web" changes its IP family policy to PreferDualStack
    Then within 10 seconds the Service "web" has ClusterIPs of the families "IPv4, IPv6"
    And within 30 seconds "web" resolves to the IPv6 ClusterIP of "web"
    And within 5 seconds "web" resolves to the IPv4 ClusterIP of "web"
    And within 30 seconds 10 requests from a client pod to "http://{clusterIP:web:IPv6}" all succeed
    When a client pod sends 150 requests to "http://{clusterIP:web:IPv6}"
    Then every request succeeds
    And every ready pod of "web" answered at least 20 requests
    When a client pod sends 150 requests to "http://{clusterIP:web:IPv4}"
    Then every request succeeds
    And every ready pod of "web" answered at least 20 requests

  Scenario: Back to SingleStack, a Service loses its IPv6 ClusterIP and its AAAA record
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    When the Service "web" changes its IP family policy to RequireDualStack
    Then within 10 seconds the Service "web" has ClusterIPs of the families "IPv4, IPv6"
    And within 30 seconds 10 requests from a client pod to "http://{clusterIP:web:IPv6}" all succeed
    When the Service "web" changes its IP family policy to SingleStack
    Then within 10 seconds the Service "web" has ClusterIPs of the families "IPv4"
    And within 30 seconds "web" has no IPv6 address
    And within 30 seconds 10 requests from a client pod to "http://{clusterIP:web:IPv4}" all succeed
