import { Given, Then, When } from "@cucumber/cucumber";
import { attachTrafficEvidence } from "../support/chaos/attachments.ts";
import {
  breakNode,
  type NodeFault,
  stopApiServerFor,
  stopCoreDns,
  stopKubeProxy,
} from "../support/chaos/cluster-faults.ts";
import {
  describeAnswersAfterKill,
  expectErrorBudget,
  expectFailuresOnlyOfKind,
  expectLatencyAtLeast,
  expectLatencyPercentile,
  expectLongestFailureWindow,
  expectLongestFailureWindowIfAny,
  expectNoAnswerAfterKill,
  expectSomeFailures,
} from "../support/chaos/expectations.ts";
import { undoFaults } from "../support/chaos/faults.ts";
import { addLatency } from "../support/chaos/latency.ts";
import { dropPackets, limitBandwidth } from "../support/chaos/network-faults.ts";
import { killPodsOnSchedule, rollingRestart, waitForRollout } from "../support/chaos/pod-faults.ts";
import { assertChaosAllowed, clusterWideFault } from "../support/chaos/safety.ts";
import { establishSteadyState, restoreSteadyState } from "../support/chaos/steady-state.ts";
import {
  expectSteadyRateHeld,
  keepSteadyTrafficRunning,
  podDisappearances,
  startSteadyTraffic,
  steadyTrafficRecord,
  stopSteadyTraffic,
  type TrafficTarget,
  waitForSteadyTrafficRecovery,
} from "../support/chaos/steady-traffic.ts";
import type { ClusterNode } from "../support/nodes/registry.ts";
import type { Backend, PodKill } from "../support/services/backend.ts";
import { requireScheduleRounds } from "../support/services/pod-counts.ts";
import type { KubequakeWorld } from "../support/world.ts";

/** SIGKILLs the main process of ready pods' containers in place: the pods stay and the kubelet restarts them. */
When(
  "{int} pod(s) of {backend} is/are SIGKILLed",
  async function (this: KubequakeWorld, count: number, backend: Backend) {
    assertChaosAllowed(this.scenario.kube, "SIGKILL pods");
    await backend.kill(count, "sigkill");
  },
);

/** Kills pods on a fixed schedule (the first round at once), e.g. while steady traffic runs. */
When(
  "{int} pod(s) of {backend} is/are {podKill} every {int} second(s), {int} time(s)",
  async function (
    this: KubequakeWorld,
    count: number,
    backend: Backend,
    how: PodKill,
    periodSeconds: number,
    times: number,
  ) {
    assertChaosAllowed(this.scenario.kube, "kill pods on a schedule");
    requireScheduleRounds(times, periodSeconds);
    await backend.requireReadyPods(count, "kill");
    await killPodsOnSchedule(backend, { count, periodSeconds, times, how });
  },
);

/** Restarts every pod of a Deployment as `kubectl rollout restart` does (a new pod-template annotation). */
When("a rolling restart of {string} begins", async function (this: KubequakeWorld, deployment: string) {
  await rollingRestart(this.scenario, deployment);
});

/** Every replica of the Deployment is updated and available, and no old pod is left. */
Then(
  "within {int} second(s) the rollout of {string} completes",
  async function (this: KubequakeWorld, seconds: number, deployment: string) {
    await waitForRollout(this.scenario, deployment, seconds);
  },
);

/** A kind node (a Docker container) is stopped, paused or cut off; undone at the end of the scenario. Needs @serial. */
When(
  "the node {node} is {nodeFault}",
  clusterWideFault(
    (_node: ClusterNode, fault: NodeFault) => `the node is ${fault}`,
    async function (this: KubequakeWorld, node: ClusterNode, fault: NodeFault) {
      await breakNode(this.scenario, node, fault);
    },
  ),
);

/** kube-proxy leaves every node (its iptables rules stay behind); back at the end of the scenario. Needs @serial. */
When(
  "kube-proxy is stopped on every node",
  clusterWideFault("kube-proxy is stopped", async function (this: KubequakeWorld) {
    await stopKubeProxy(this.scenario);
  }),
);

/** CoreDNS is scaled to zero until the end of the scenario (or "the faults are undone"). Needs @serial. */
When(
  "CoreDNS is down",
  clusterWideFault("CoreDNS is down", async function (this: KubequakeWorld) {
    await stopCoreDns(this.scenario);
  }),
);

/**
 * The API server is stopped for N seconds, then brought back and waited for; the data plane keeps its rules. The step
 * ends when the control plane leads again, which may take minutes (the kubelet's back-off), hence its own timeout.
 */
When(
  "the API server is down for {int} second(s)",
  { timeout: 9 * 60_000 },
  clusterWideFault("the API server is down", async function (this: KubequakeWorld, seconds: number) {
    await stopApiServerFor(this.scenario, seconds);
  }),
);

/** Runs the scenario's undo log now, newest fault first, and waits until the cluster is whole again. */
When("the faults are undone", async function (this: KubequakeWorld) {
  await undoFaults(this.scenario);
});

/**
 * The steady-state hypothesis (as in Chaos Toolkit): checked now, before any chaos (for up to 30 s, while a new
 * Service settles), and again after the faults are undone.
 */
Given(
  "the steady state is that {int} requests to {string} all succeed, answered by at least {int} different pod(s)",
  async function (this: KubequakeWorld, count: number, url: string, minimumPods: number) {
    const description = `${count} requests to ${url} all succeed, answered by at least ${minimumPods} different pod(s)`;
    await establishSteadyState(this.scenario, { description, url, count, minimumPods }, 30);
  },
);

/** Undoes every fault (newest first), then waits until the steady state holds again; reports the recovery time. */
Then(
  "within {int} second(s) of undoing the faults the steady state holds again",
  async function (this: KubequakeWorld, seconds: number) {
    const recoveryMs = await restoreSteadyState(this.scenario, seconds);
    await this.attachText("steady-state.txt", `restored ${(recoveryMs / 1000).toFixed(3)} s after the undo`);
  },
);

/**
 * Open-loop steady traffic from a client pod: N requests per second, each on a new connection, whatever the
 * answers' speed, until "the steady traffic stops" (at most 5 minutes). The target is a URL ("http://web") or
 * `the ClusterIP of "web"` (no DNS lookup per request, like a client that resolved once).
 */
Given(
  "steady traffic of {int} requests per second to {trafficTarget}",
  async function (this: KubequakeWorld, rate: number, target: TrafficTarget) {
    await startSteadyTraffic(this.scenario, target, { rate });
  },
);

/** As above, the rate split over several client pods (each its own source IP). */
Given(
  "steady traffic of {int} requests per second to {trafficTarget} from {int} client pod(s)",
  async function (this: KubequakeWorld, rate: number, target: TrafficTarget, clients: number) {
    await startSteadyTraffic(this.scenario, target, { rate, clients });
  },
);

/** As above, from one client pod pinned to a node (e.g. the node that a node fault spares). */
Given(
  "steady traffic of {int} requests per second to {trafficTarget} from a client pod on node {node}",
  async function (this: KubequakeWorld, rate: number, target: TrafficTarget, node: ClusterNode) {
    await startSteadyTraffic(this.scenario, target, { rate, node });
  },
);

/**
 * Stops the steady traffic and attaches its timeline chart (requests per second, failures by kind, latency, every
 * chaos event), the samples as CSV and a summary; fails if the requested rate was not held (skewed figures).
 */
When("the steady traffic stops", async function (this: KubequakeWorld) {
  const evidence = await stopSteadyTraffic(this.scenario, this.scenario.title);
  await attachTrafficEvidence(this.scenario, evidence);
  expectSteadyRateHeld(this.scenario);
});

/**
 * While the steady traffic runs: waits until every request of its latest settled second succeeds; reports how long
 * after the last fault or undo (stamped when its change returned) service came back.
 */
Then("within {int} second(s) the steady traffic recovers", async function (this: KubequakeWorld, seconds: number) {
  const recoveryMs = await waitForSteadyTrafficRecovery(this.scenario, seconds);
  await this.attachText(
    "traffic-recovery.txt",
    `recovered ${(recoveryMs / 1000).toFixed(1)} s after the last fault or undo`,
  );
});

/**
 * As above, but recovered means M consecutive clean seconds (one clean second can be luck while a fault flaps); the
 * time reported runs from the last fault or undo to the start of that clean stretch.
 */
Then(
  "within {int} second(s) the steady traffic recovers for {int} consecutive second(s)",
  async function (this: KubequakeWorld, seconds: number, cleanSeconds: number) {
    const recoveryMs = await waitForSteadyTrafficRecovery(this.scenario, seconds, cleanSeconds);
    const line = `recovered for ${cleanSeconds} s from ${(recoveryMs / 1000).toFixed(1)} s after the last fault or undo`;
    await this.attachText("traffic-recovery.txt", line);
  },
);

/** Keeps the steady traffic running for a stated time, e.g. to measure a fault's effect over it. */
When("the steady traffic runs for {int} more second(s)", async function (this: KubequakeWorld, seconds: number) {
  await keepSteadyTrafficRunning(this.scenario, seconds);
});

/** No request of the steady traffic failed. */
Then("none of the steady traffic failed", function (this: KubequakeWorld) {
  expectErrorBudget(steadyTrafficRecord(this.scenario), 0);
});

/** At least one request failed: for scenarios that show a real failure window rather than hide it. */
Then("some of the steady traffic failed", function (this: KubequakeWorld) {
  expectSomeFailures(steadyTrafficRecord(this.scenario));
});

/** Some requests failed, and every one of them with this kind of error (refused, reset, timeout, dns, http, ...). */
Then("every failed request of the steady traffic failed with {word}", function (this: KubequakeWorld, kind: string) {
  expectFailuresOnlyOfKind(steadyTrafficRecord(this.scenario), kind);
});

/** The error budget: at most N% of the steady traffic's requests failed. */
Then("at most {float}% of the steady traffic failed", function (this: KubequakeWorld, percent: number) {
  expectErrorBudget(steadyTrafficRecord(this.scenario), percent);
});

/**
 * The failover gap: the longest run of consecutive failed requests lasted at most N seconds. Fails when nothing
 * failed (there was no window to measure): for faults that must make requests fail.
 */
Then(
  "the steady traffic's longest failure window was at most {float} second(s)",
  function (this: KubequakeWorld, seconds: number) {
    expectLongestFailureWindow(steadyTrafficRecord(this.scenario), seconds);
  },
);

/**
 * As above, for faults after which no failure at all is a correct outcome (a failover that can be seamless): passes
 * when nothing failed, and the report says so ("none failed").
 */
Then(
  "the steady traffic's longest failure window, if any, was at most {float} second(s)",
  async function (this: KubequakeWorld, seconds: number) {
    const verdict = expectLongestFailureWindowIfAny(steadyTrafficRecord(this.scenario), seconds);
    await this.attachText("failure-window.txt", verdict);
  },
);

/** A latency percentile of the steady traffic (from each request's scheduled time, failures included). */
Then(
  "the steady traffic's p{int} latency was at most {int} ms",
  function (this: KubequakeWorld, percentile: number, ms: number) {
    expectLatencyPercentile(steadyTrafficRecord(this.scenario), percentile, ms);
  },
);

/** A latency percentile at least N ms, e.g. to show that added latency really was in the path. */
Then(
  "the steady traffic's p{int} latency was at least {int} ms",
  function (this: KubequakeWorld, percentile: number, ms: number) {
    expectLatencyAtLeast(steadyTrafficRecord(this.scenario), percentile, ms);
  },
);

/**
 * No killed pod accepted a request after it was told to stop (the demo backend marks such answers itself, so no
 * clocks are compared), and none answered a request started after its pod object was gone.
 */
Then("no request was answered by a pod after it was killed", async function (this: KubequakeWorld) {
  await this.attachText("answers-after-kill.txt", describeAnswersAfterKill(steadyTrafficRecord(this.scenario)));
  expectNoAnswerAfterKill(steadyTrafficRecord(this.scenario), podDisappearances(this.scenario));
});

/** As above, allowing answers up to N seconds after the signal: a backend that drains is meant to serve on a while. */
Then(
  "no request was answered by a pod more than {int} second(s) after it was killed",
  async function (this: KubequakeWorld, seconds: number) {
    await this.attachText("answers-after-kill.txt", describeAnswersAfterKill(steadyTrafficRecord(this.scenario)));
    expectNoAnswerAfterKill(steadyTrafficRecord(this.scenario), podDisappearances(this.scenario), seconds);
  },
);

/** Drops a share of the packets arriving at every ready pod of a backend (iptables in the pods' network namespaces). */
When(
  "{int}% of packets to the pods of {backend} are dropped",
  async function (this: KubequakeWorld, percent: number, backend: Backend) {
    assertChaosAllowed(this.scenario.kube, "drop packets");
    await dropPackets(backend, percent);
  },
);

/** Caps what every ready pod of a backend sends, in kbit/s (a tbf qdisc on the pod's interface). */
When(
  "the pods of {backend} are limited to {int} kbit\\/s",
  async function (this: KubequakeWorld, backend: Backend, kbitPerSecond: number) {
    assertChaosAllowed(this.scenario.kube, "limit bandwidth");
    await limitBandwidth(backend, kbitPerSecond);
  },
);

/**
 * Adds latency to every answer of a Service: Toxiproxy pods (from the demo image) go between the Service and its
 * backends (these kernels have no netem). The client address the backends see becomes the proxies' meanwhile.
 */
When(
  "{int} ms of latency are added to the Service {string}",
  async function (this: KubequakeWorld, latencyMs: number, service: string) {
    assertChaosAllowed(this.scenario.kube, "add latency");
    await addLatency(this.scenario, service, latencyMs);
  },
);
