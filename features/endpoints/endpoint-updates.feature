@epic:endpoints
Feature: Endpoints follow pod kills, scaling and readiness, and traffic follows the endpoints
  The EndpointSlice controller removes pods that stop being ready and adds their replacements; kube-proxy then
  reprograms the nodes. Each step reports how long after the action the EndpointSlices and the traffic changed.

  Background:
    Given the demo backend runs 3 replicas behind the ClusterIP Service "web"

  Scenario: A gracefully killed pod leaves the endpoints and its replacement joins
    When 1 pod of "web" is killed
    Then within 15 seconds the Service "web" no longer lists the killed pod as ready
    And within 60 seconds the Service "web" has 3 ready endpoints
    And within 30 seconds 60 requests to "http://web" are answered by exactly the ready pods of "web"

  Scenario: A force-deleted pod leaves the endpoints and its replacement joins
    When 1 pod of "web" is force-deleted
    Then within 15 seconds the Service "web" no longer lists the force-deleted pod as ready
    And within 60 seconds the Service "web" has 3 ready endpoints
    And within 30 seconds 60 requests to "http://web" are answered by exactly the ready pods of "web"

  Scenario: Scaling 3 → 5 → 1 is followed by the endpoints and by the traffic
    When "web" is scaled to 5 replicas
    Then within 60 seconds the Service "web" has 5 ready endpoints
    And within 30 seconds 100 requests to "http://web" are answered by exactly the ready pods of "web"
    When "web" is scaled to 1 replica
    Then within 60 seconds the Service "web" has 1 ready endpoint
    And within 30 seconds 30 requests to "http://web" are answered by exactly the ready pods of "web"

  Scenario: A pod that turns unready leaves the endpoints without being deleted, and returns when ready
    When 1 pod of "web" turns unready
    Then within 15 seconds the Service "web" no longer lists the unready pod as ready
    And the unready pod of "web" is still running
    And within 30 seconds 60 requests to "http://web" are answered by exactly the ready pods of "web"
    When the unready pod turns ready again
    Then within 15 seconds the Service "web" has 3 ready endpoints
    And within 30 seconds 60 requests to "http://web" are answered by exactly the ready pods of "web"
