// Faults: what breaks pods, nodes and cluster components. The traffic that measures them: steady-traffic.steps.ts.
import { Then, When } from "@cucumber/cucumber";
import { chaosLeaseWaitMs } from "../support/chaos/chaos-lease.ts";
import { undoFaults } from "../support/chaos/faults.ts";
import { killPodsOnSchedule, rollingRestart, waitForRollout } from "../support/chaos/pod-faults.ts";
import { declaredFaultStep, declaredFaults } from "../support/chaos/registry.ts";
import { assertChaosAllowed } from "../support/chaos/safety.ts";
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

/**
 * The pods SIGKILLed in place run again: the same pods, each container's restart count up (the kubelet restarted it,
 * no replacement pod was made) and ready.
 */
Then(
  "within {int} second(s) the SIGKILLed pod(s) of {backend} run(s) again, restarted in place by the kubelet",
  async function (this: KubequakeWorld, seconds: number, backend: Backend) {
    await this.attachText("restarted.txt", await backend.expectSigkilledPodsRestarted(seconds));
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

/**
 * Every declared fault is a step; its documentation, scope and undo are the declaration's (support/chaos/registry.ts).
 * A node or cluster fault may first wait for another run's chaos lease, so its timeout allows for that wait too.
 */
for (const fault of declaredFaults)
  When(
    fault.phrase,
    { timeout: (fault.timeoutMs ?? 240_000) + (fault.scope === "namespace" ? 0 : chaosLeaseWaitMs()) },
    declaredFaultStep(fault),
  );

/** Runs the scenario's undo log now, newest fault first, and waits until the cluster is whole again. */
When("the faults are undone", async function (this: KubequakeWorld) {
  await undoFaults(this.scenario);
});
