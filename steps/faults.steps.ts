// Faults: what breaks pods, nodes and cluster components. The traffic that measures them: steady-traffic.steps.ts.
import { Then, When } from "@cucumber/cucumber";
import { breakNode, type NodeFault, stopApiServerFor, stopCoreDns } from "../support/chaos/cluster-faults.ts";
import { undoFaults } from "../support/chaos/faults.ts";
import { addLatency } from "../support/chaos/latency.ts";
import { dropPackets, limitBandwidth } from "../support/chaos/network-faults.ts";
import { killPodsOnSchedule, rollingRestart, waitForRollout } from "../support/chaos/pod-faults.ts";
import { declaredFaultStep, declaredFaults } from "../support/chaos/registry.ts";
import { assertChaosAllowed, clusterWideFault } from "../support/chaos/safety.ts";
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

/** Every declared fault is a step; its documentation, scope and undo are the declaration's (support/chaos/registry.ts). */
for (const fault of declaredFaults)
  When(fault.phrase, { timeout: fault.timeoutMs ?? 240_000 }, declaredFaultStep(fault));

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
