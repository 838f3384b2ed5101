@chaos @serial @epic:chaos
Feature: Pods killed while steady traffic flows

  When a pod is deleted, two things start at the same moment and race: the kubelet sends the container SIGTERM, and
  the endpoint change travels through the EndpointSlice controller to every node's kube-proxy. Kubernetes does not
  order them. A backend that keeps serving for a few seconds after SIGTERM (a preStop delay, or a graceful shutdown
  that drains) covers the gap whichever wins, and no request fails. A backend that exits as soon as it gets SIGTERM
  loses the new connections kube-proxy still sends it when the SIGTERM wins: refused while the pod's address still
  exists, timing out (2 s here) once it is gone, so a failure window lasts the catch-up time plus a timeout at most.
  When kube-proxy wins, nothing fails. Both are real: this feature measures both, under an open-loop load of 100
  requests per second from two client pods, each request on a new connection.

  Each scenario runs alone (@serial): the open-loop load needs the machine's two cores to hold its rate, and beside
  another scenario it fell short (49.2 of 50 requests/s from one client, below the 99% the figures need to be
  trusted, in a full run of 117 scenarios).

  Scenario: A backend that drains on shutdown survives repeated kills without a failed request
    Draining means answering after SIGTERM: the killed pod takes the connections kube-proxy still sends it until the
    endpoint change reaches every node, and answers them (by its own account, after it was told to stop). What must
    not happen is a pod taking new work after its drain: the demo backend drains for 4 s and then closes its
    listener, so nothing may come later than that (1 s more allowed for the shutdown itself). Measured in two runs:
    83 of 1597 and 37 of 1621 requests were answered by killed pods after SIGTERM, the latest 1.02 s and 0.52 s
    after it (the time kube-proxy took to catch up).
    Given the demo backend runs 3 replicas behind the ClusterIP Service "web", draining for 4 seconds on shutdown
    And steady traffic of 100 requests per second to "http://web" from 2 client pods
    When the steady traffic runs for 2 more seconds
    And 1 pod of "web" is killed every 5 seconds, 4 times
    And the steady traffic stops
    Then none of the steady traffic failed
    And every killed pod answered some of the steady traffic before it was killed
    And no request was answered by a pod more than 5 seconds after it was killed

  Scenario: A backend that exits at once on SIGTERM loses only what reaches it before the endpoints catch up
    Whether a kill costs requests is the race above, so this scenario does not demand failures: it bounds them, and
    checks that each killed pod was serving the traffic (so the kills were in its path) and stopped taking it at
    SIGTERM. Each kill can cost at most its pod's third of the traffic for as long as kube-proxy takes to catch up:
    about a second (it rewrites its rules at most once a second), a little more on a loaded machine. 4 kills in 17 s
    of traffic make at most about 8-12% of the requests, so the bound is 15%.
    What it lost is a measured figure (the traffic summary, and the side-by-side table of `kubequake matrix`).
    Measured on kind, iptables mode unless said: 11 of 1733 requests failed (longest window 0.07 s) in this form; in
    an earlier form without the 2 s before the first kill, 12 of 1519 (0.11 s), 6 of 1508 and 9 of 1512 (nftables;
    0.08 s and 0.11 s), and 0 of 1508 in one full run.
    Given the demo backend runs 3 replicas behind the ClusterIP Service "web"
    And steady traffic of 100 requests per second to "http://web" from 2 client pods
    When the steady traffic runs for 2 more seconds
    And 1 pod of "web" is killed every 5 seconds, 4 times
    And the steady traffic stops
    Then every killed pod answered some of the steady traffic before it was killed
    And no request was answered by a pod after it was killed
    And the steady traffic's longest failure window, if any, was at most 6 seconds
    And at most 15% of the steady traffic failed

  @needs:node-chaos
  Scenario: A container killed in place is restarted by the kubelet, and traffic keeps within its error budget
    SIGKILL leaves the pod and its address in place: new connections to it are refused until the pod is out of the
    endpoints on the client's node (the kubelet sees the container gone and marks the pod not ready, or the readiness
    probe, every second here, misses; kube-proxy follows), or until the kubelet has restarted the container. How many
    requests land in that gap is a race: 0.06-2.05 s of refusals in 12 early runs (0.6-7.3% of the 10 s of traffic),
    and 3 and 1 refused requests (windows of 0.08 s and under 0.01 s) in two runs of this build. So the scenario does
    not demand failures: it checks the pod was serving before the kill and was restarted in place, and bounds the
    window and the share (one window of up to about 2 s for the pod's third of the traffic; a fixed 5% once failed a
    correct cluster).
    Given the demo backend runs 3 replicas behind the ClusterIP Service "web"
    And the steady state is that 30 requests to "http://web" all succeed, answered by at least 3 different pods
    And steady traffic of 50 requests per second to "http://web"
    When the steady traffic runs for 2 more seconds
    And 1 pod of "web" is SIGKILLed
    And the steady traffic runs for 10 more seconds
    Then within 30 seconds the SIGKILLed pod of "web" runs again, restarted in place by the kubelet
    And within 30 seconds the steady traffic recovers
    And within 30 seconds the Service "web" has 3 ready endpoints
    When the steady traffic stops
    Then every killed pod answered some of the steady traffic before it was killed
    And the steady traffic's longest failure window, if any, was at most 3 seconds
    And at most 10% of the steady traffic failed
    And within 30 seconds of undoing the faults the steady state holds again

  Scenario: A rolling restart with maxUnavailable 0 keeps every request
    Given the demo backend runs 3 replicas behind the ClusterIP Service "web", draining for 4 seconds on shutdown
    And steady traffic of 100 requests per second to "http://web"
    When a rolling restart of "web" begins
    Then within 120 seconds the rollout of "web" completes
    When the steady traffic stops
    Then none of the steady traffic failed
    And the steady traffic's p99 latency was at most 500 ms
