@epic:dns
Feature: Headless Services publish their pods in DNS
  CoreDNS answers a headless Service's name with one A record per ready pod, SRV records for named ports,
  per-pod names for StatefulSets, and unready pods too when publishNotReadyAddresses is set.

  Scenario: A records equal the ready pod IPs and follow scale up and down
    Given the demo backend runs 3 replicas behind the headless Service "db"
    Then within 30 seconds "db" resolves to the IPs of the 3 ready pods of "db"
    When "db" is scaled to 5 replicas
    Then within 60 seconds "db" resolves to the IPs of the 5 ready pods of "db"
    When "db" is scaled to 2 replicas
    Then within 60 seconds "db" resolves to the IPs of the 2 ready pods of "db"

  Scenario: SRV records name the port of every ready pod
    Given the demo backend runs 2 replicas behind the headless Service "db"
    Then within 30 seconds the SRV records of "_http._tcp.db" name port 8080 on each of the 2 ready pods of "db"

  Scenario: StatefulSet pods get stable per-pod names
    Given the demo backend "web" runs 2 replicas as a StatefulSet behind the headless Service "web"
    Then within 30 seconds "web-0.web" resolves to the IP of pod "web-0"
    And within 30 seconds "web-1.web" resolves to the IP of pod "web-1"
    And within 30 seconds "web-2.web" does not resolve

  Scenario: publishNotReadyAddresses keeps unready pods in DNS
    Given the demo backend "peers" runs 3 replicas
    And the headless Service "peers" selects pods labelled "app=peers" and publishes not-ready addresses
    And the headless Service "ready-peers" selects pods labelled "app=peers"
    When 1 pod of "peers" turns unready
    Then within 30 seconds "ready-peers" resolves to the IPs of the 2 ready pods of "peers"
    And within 30 seconds "peers" resolves to the IPs of all 3 pods of "peers", ready or not
