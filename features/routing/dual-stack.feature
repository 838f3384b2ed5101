@epic:routing @needs:ipv4 @needs:ipv6
Feature: On a dual-stack cluster a Service has a ClusterIP per family, and each one routes
  On a dual-stack cluster (kubequake --ip-family dual) a Service stays single-stack unless it asks for more: one
  ClusterIP of the cluster's primary family, IPv4 on kubequake's dual-stack cluster. With ipFamilyPolicy
  PreferDualStack or RequireDualStack the API server allocates an IPv6 ClusterIP beside it, kube-proxy programs both
  families, and CoreDNS answers the name's AAAA record with it. Back to SingleStack, the IPv6 ClusterIP is released.
  The new address and its AAAA record come first (measured: the AAAA answer 0.05–0.07 s after the change). Until
  kube-proxy has programmed the new address on the client's node, a packet to it follows the node's default route
  to the host, where kubequake's network seal refuses it (150 of 150 requests sent at once were refused so, and the
  seal logged them: without it they would have left the machine), so the scenarios wait for it to answer first.
  A Service may name its families instead (ipFamilies [IPv6, IPv4], or one): it gets their ClusterIPs in that order,
  the first is its primary (its name's records are of that family), and each family has its own EndpointSlices. The
  v1 Endpoints object (deprecated since Kubernetes 1.33, still written for what reads it) keeps one family, the
  primary: a dual-stack Service whose primary is IPv6 lists only its pods' IPv6 addresses there. A request by name
  goes in the family the name resolves to, and the backend sees the client pod's address of it.
  MetalLB's pool on the dual-stack cluster has a range of each family: a dual-stack LoadBalancer Service gets one
  address of each, and both answer clients outside the cluster.

  @upstream:dualstack-single-stack-service @upstream:dualstack-granular-pod-service-http
  Scenario: A single-stack Service gains an IPv6 ClusterIP that reaches every ready pod, and an AAAA record
    Given the demo backend runs 3 replicas behind the ClusterIP Service "web"
    Then within 5 seconds the Service "web" has ClusterIPs of the families "IPv4"
    And within 20 seconds "web" has no IPv6 address
    And within 5 seconds the Service "web" has `spec.ipFamilyPolicy` equal to "SingleStack"
    And within 30 seconds the Endpoints of "web" list 3 ready addresses, all IPv4
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

  @upstream:dualstack-service-ipv4-ipv6
  Scenario: Back to SingleStack, a Service loses its IPv6 ClusterIP and its AAAA record
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    When the Service "web" changes its IP family policy to RequireDualStack
    Then within 10 seconds the Service "web" has ClusterIPs of the families "IPv4, IPv6"
    And within 30 seconds the Endpoints of "web" list 2 ready addresses, all IPv4
    And within 30 seconds 10 requests from a client pod to "http://{clusterIP:web:IPv6}" all succeed
    When the Service "web" changes its IP family policy to SingleStack
    Then within 10 seconds the Service "web" has ClusterIPs of the families "IPv4"
    And within 30 seconds "web" has no IPv6 address
    And within 30 seconds 10 requests from a client pod to "http://{clusterIP:web:IPv4}" all succeed

  @upstream:dualstack-service-ipv6-ipv4 @upstream:dualstack-service-ipv6 @upstream:dualstack-service-ipv4
  Scenario: A Service that names its families gets their ClusterIPs in its order, an EndpointSlice of each, and routes
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: six-first
      spec:
        ipFamilyPolicy: RequireDualStack
        ipFamilies: [IPv6, IPv4]
        selector: {app: web}
        ports: [{name: http, port: 80, targetPort: 8080}, {name: alt, port: 81, targetPort: 8080}]
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: six-only
      spec:
        ipFamilies: [IPv6]
        selector: {app: web}
        ports: [{name: http, port: 80, targetPort: 8080}, {name: alt, port: 81, targetPort: 8080}]
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: four-only
      spec:
        ipFamilies: [IPv4]
        selector: {app: web}
        ports: [{name: http, port: 80, targetPort: 8080}, {name: alt, port: 81, targetPort: 8080}]
      """
    Then within 5 seconds the Service "six-first" has ClusterIPs of the families "IPv6, IPv4"
    And within 5 seconds the Service "six-only" has ClusterIPs of the families "IPv6"
    And within 5 seconds the Service "four-only" has ClusterIPs of the families "IPv4"
    And within 5 seconds the Service "six-first" has `spec.ipFamilyPolicy` equal to "RequireDualStack"
    And within 5 seconds the Service "six-only" has `spec.ipFamilyPolicy` equal to "SingleStack"
    And within 5 seconds the Service "four-only" has `spec.ipFamilyPolicy` equal to "SingleStack"
    And within 5 seconds the Service "six-first" has `spec.ports[*].port` equal to "80,81"
    And within 5 seconds the Service "six-only" has `spec.ports[*].port` equal to "80,81"
    And within 5 seconds the Service "four-only" has `spec.ports[*].port` equal to "80,81"
    And within 30 seconds the EndpointSlices of "six-only" have 2 ready endpoints and addressType IPv6
    And within 30 seconds the EndpointSlices of "four-only" have 2 ready endpoints and addressType IPv4
    And within 30 seconds the Endpoints of "six-first" list 2 ready addresses, all IPv6
    And within 30 seconds the Endpoints of "six-only" list 2 ready addresses, all IPv6
    And within 30 seconds the Endpoints of "four-only" list 2 ready addresses, all IPv4
    And within 30 seconds "six-only" resolves to the IPv6 ClusterIP of "six-only"
    And within 30 seconds "six-only" has no IPv4 address
    When a client pod sends 60 requests to "http://{clusterIP:six-first:IPv6}:81"
    Then every request succeeds
    And every ready pod of "web" answered at least 10 requests
    When a client pod sends 60 requests to "http://{clusterIP:six-first:IPv4}"
    Then every request succeeds
    When a client pod sends 60 requests to "http://{clusterIP:six-only:IPv6}"
    Then every request succeeds
    And every ready pod of "web" answered at least 10 requests
    When a client pod sends 30 requests to "http://six-only"
    Then every request succeeds
    And every answer saw the sending pod's IP as the client address

  @needs:loadbalancer @needs:outside-clients
  Scenario: A dual-stack load-balancer Service gets an address of each family, and both answer from outside
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    And the manifest:
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: both
      spec:
        type: LoadBalancer
        ipFamilyPolicy: RequireDualStack
        selector: {app: web}
        ports: [{name: http, port: 80, targetPort: 8080}]
      """
    Then within 30 seconds the Service "both" has `status.loadBalancer.ingress[*].ip` matching "^([0-9]{1,3}[.]){3}[0-9]{1,3}$"
    And within 5 seconds the Service "both" has `status.loadBalancer.ingress[*].ip` matching "^[0-9a-f]*:[0-9a-f:]+$"
    And within 30 seconds 10 requests from an outside client to "http://{loadBalancerIP:both:IPv6}" all succeed
    When an outside client sends 60 requests to "http://{loadBalancerIP:both:IPv6}"
    Then every request succeeds
    And every ready pod of "web" answered at least 10 requests
    When an outside client sends 60 requests to "http://{loadBalancerIP:both:IPv4}"
    Then every request succeeds
    And every ready pod of "web" answered at least 10 requests
