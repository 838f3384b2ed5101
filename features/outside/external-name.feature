@epic:outside @needs:outside-clients @needs:ipv4
Feature: An ExternalName Service is a DNS alias for a service outside the cluster
  The outside services are demo backends in containers on the kind Docker network, published in the test zone
  outside.test that the cluster's own CoreDNS serves (ip-A-B-C-D.outside.test), so nothing resolves or connects
  outside this machine. An ExternalName Service has no cluster IP and no endpoints: cluster DNS answers its name with
  a CNAME, and the client connects to the outside service directly. The test zone publishes IPv4 addresses only (an
  A record per name), so an IPv6-only cluster's pods, which have no IPv4 route, skip this feature (@needs:ipv4).

  Scenario: Pods reach an outside service by the Service name, and changing externalName moves the CNAME
    Given the outside HTTP service "billing-a" runs on the kind network
    And the outside HTTP service "billing-b" runs on the kind network
    When the Service "billing" is an ExternalName for the outside service "billing-a"
    Then within 30 seconds "billing" resolves to a CNAME for the outside service "billing-a"
    And within 30 seconds 10 requests from a client pod to "billing" are answered by the outside service "billing-a"
    When the Service "billing" is an ExternalName for the outside service "billing-b"
    Then within 30 seconds "billing" resolves to a CNAME for the outside service "billing-b"
    And within 30 seconds 10 requests from a client pod to "billing" are answered by the outside service "billing-b"

  @upstream:clusterip-to-externalname
  Scenario: A ClusterIP Service becomes an ExternalName and back
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    And the outside HTTP service "legacy" runs on the kind network
    When the Service "web" is an ExternalName for the outside service "legacy"
    Then within 10 seconds the Service "web" has `spec.clusterIP` not set
    And within 30 seconds "web" resolves to a CNAME for the outside service "legacy"
    And within 30 seconds 10 requests from a client pod to "web" are answered by the outside service "legacy"
    When the Service "web" becomes a ClusterIP Service for "web"
    Then within 30 seconds 20 requests to "http://web" are answered by exactly the ready pods of "web"
