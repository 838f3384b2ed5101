// Steady traffic while faults run, and the checks on it (error budget, failure windows, latency, answers after kills).
import { Given, Then, When } from "@cucumber/cucumber";
import { attachTrafficEvidence } from "../support/chaos/attachments.ts";
import { watchErrorBudget } from "../support/chaos/breach.ts";
import {
  describeAnswersAfterKill,
  expectErrorBudget,
  expectFailuresOnlyOfKind,
  expectKilledPodsServedBefore,
  expectLatencyAtLeast,
  expectLatencyPercentile,
  expectLatencyRatioWhileFaulted,
  expectLongestFailureWindow,
  expectLongestFailureWindowIfAny,
  expectNoAnswerAfterKill,
  expectSomeFailures,
} from "../support/chaos/expectations.ts";
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
import type { Client } from "../support/clients/client.ts";
import type { KubequakeWorld } from "../support/world.ts";

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

/**
 * As above, from one client of any kind: a client pod on a node (e.g. the node a node fault spares), an outside
 * client (a demo prober container on the kind network), or the host (a demo prober in the host's own network). The
 * target may also be an address from outside: `the load-balancer address of "web"`, `the NodePort of "web" on node
 * "n"`. Every kind runs the same open-loop engine and leaves the same samples, charts and checks.
 */
Given(
  "steady traffic of {int} requests per second to {trafficTarget} from {client}",
  async function (this: KubequakeWorld, rate: number, target: TrafficTarget, from: Client) {
    await startSteadyTraffic(this.scenario, target, { rate, from });
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
Then("at most {float}% of the steady traffic failed", async function (this: KubequakeWorld, percent: number) {
  await this.attachText("error-budget.txt", expectErrorBudget(steadyTrafficRecord(this.scenario), percent));
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
 * The latency while faults were active (from each fault's stamp to its undo's) against the latency before the first
 * fault, as a ratio of the same percentile measured in the same run: e.g. a throttled backend answers slower.
 */
Then(
  "the steady traffic's p{int} latency while faults were active was at least {int} times that before them",
  async function (this: KubequakeWorld, percentile: number, times: number) {
    const figures = expectLatencyRatioWhileFaulted(steadyTrafficRecord(this.scenario), percentile, times);
    await this.attachText("latency-while-faulted.txt", figures);
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

/**
 * Each killed pod answered the steady traffic before its kill: the kills were in the traffic's path. With checks that
 * allow nothing to fail, this is what shows the scenario did what it says. The per-pod figures are attached.
 */
Then(
  "every killed pod answered some of the steady traffic before it was killed",
  async function (this: KubequakeWorld) {
    await this.attachText("answers-before-kill.txt", expectKilledPodsServedBefore(steadyTrafficRecord(this.scenario)));
  },
);

/** As above, allowing answers up to N seconds after the signal: a backend that drains is meant to serve on a while. */
Then(
  "no request was answered by a pod more than {int} second(s) after it was killed",
  async function (this: KubequakeWorld, seconds: number) {
    await this.attachText("answers-after-kill.txt", describeAnswersAfterKill(steadyTrafficRecord(this.scenario)));
    expectNoAnswerAfterKill(steadyTrafficRecord(this.scenario), podDisappearances(this.scenario), seconds);
  },
);

/**
 * An error budget while faults are active: once more than N% of the steady traffic since the oldest active fault
 * began has failed, every fault is undone at once and the scenario fails with the moment of the breach (time since
 * the fault, the failed share then, and the seconds it was measured over). Judged every half second.
 */
Given(
  "the steady traffic may fail at most {float}% while faults are active",
  function (this: KubequakeWorld, percent: number) {
    watchErrorBudget(this.scenario, percent);
  },
);
