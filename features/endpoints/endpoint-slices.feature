@epic:endpoints
Feature: A Service's EndpointSlices say which pods serve it, on which node and port, and which are going
  The EndpointSlice controller writes one slice per set of ports, of the family of the Service's ClusterIP (IPv4 on
  an IPv4 cluster, IPv6 on an IPv6-only one), labelled as its own, with each endpoint's node and its ready, serving
  and terminating conditions; kube-proxy routes by them. A deleted pod that drains stays in the slice as
  terminating, on its node, until it is gone.

  Scenario: A deleted pod turns terminating on its own node, and its replacement joins as ready
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web", draining for 15 seconds on shutdown
    Then within 30 seconds the EndpointSlices of "web" have 2 ready serving endpoints and 0 terminating endpoints
    And within 5 seconds the EndpointSlices of "web" have addressType of its ClusterIP and port 8080/TCP named "http"
    And within 5 seconds the EndpointSlices of "web" have managed-by "endpointslice-controller.k8s.io" and no zone hints
    When a ready pod of "web" is remembered as "victim"
    And the field `spec.nodeName` of the Pod "{remembered:victim}" is remembered as "its-node"
    And the Pod "{remembered:victim}" is deleted without waiting for it to go
    Then within 15 seconds the EndpointSlices of "web" have 1 terminating endpoint on node "{remembered:its-node}"
    And within 60 seconds the EndpointSlices of "web" have 2 ready endpoints and 0 terminating endpoints
