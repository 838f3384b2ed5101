@chaos @serial @epic:chaos
Feature: Connections reset and HTTP errors on the way to a Service

  Toxiproxy pods (from the demo image) go between a Service and its backends, as for added latency, and reset a share
  of the new connections (Toxiproxy's reset_peer toxic, with no delay) as soon as the request arrives: the client
  sees "connection reset by peer". Each connection is reset with the given probability, so the share that fails
  varies from run to run around it.

  Measured here for the resets (20 requests per second, the fault held about 10 s, 4 runs): 68 of 338, 64 of 326,
  56 of 332 and 64 of 322 requests failed, every one a reset; out of the ~200 sent meanwhile that is 28–34%, around
  the 30% asked for.

  Scenario: 30% of the connections to a Service are reset, and every failure is a reset
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    And steady traffic of 20 requests per second to "http://web"
    When 30% of the connections to the Service "web" are reset
    And the steady traffic runs for 10 more seconds
    And the faults are undone
    Then within 15 seconds the steady traffic recovers
    When the steady traffic stops
    Then some of the steady traffic failed
    And every failed request of the steady traffic failed with reset
    And at most 60% of the steady traffic failed

  Scenario: A share of a backend's answers are HTTP 503 while its pods stay Ready, and every failure is an http error
    The demo backend answers that share of its requests with the status itself (its admin endpoint), as a failing
    application would; its readiness probe is untouched, so the Service keeps sending traffic to it. Measured over 3
    runs (20 requests per second, ~10 s of fault): 40 of 281, 39 of 278 and 45 of 277 failed, every one http; out of
    the ~200 sent meanwhile that is 20–22%.
    Given the demo backend runs 2 replicas behind the ClusterIP Service "web"
    And steady traffic of 20 requests per second to "http://web"
    When 20% of the answers of "web" are HTTP 503
    And the steady traffic runs for 10 more seconds
    Then within 5 seconds the EndpointSlices of "web" have 2 ready endpoints
    When the faults are undone
    Then within 15 seconds the steady traffic recovers
    When the steady traffic stops
    Then some of the steady traffic failed
    And every failed request of the steady traffic failed with http
    And at most 40% of the steady traffic failed
