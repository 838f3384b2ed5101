import type { V1Pod } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";
import { ObjectStream } from "../kube/informer.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import type { Backend, PodKill } from "../services/backend.ts";
import { eventually } from "../wait/eventually.ts";

/**
 * When each pod of the scenario's namespace disappeared from the API (the kubelet confirmed its containers are gone,
 * or a force delete removed it at once), from a pod informer. This is the moment after which an answer from that
 * pod would be impossible, which is what "no request was answered by a killed pod" checks against.
 */
export class PodDisappearances {
  readonly goneAtUnixMs = new Map<string, number>();
  #stream: ObjectStream<V1Pod> | undefined;

  /** Starts watching the pods; the caller stops it (the steady traffic does, at cleanup). */
  static async start(context: ScenarioContext): Promise<PodDisappearances> {
    const tracker = new PodDisappearances();
    let present = new Set<string>();
    tracker.#stream = await ObjectStream.start(
      context.kube,
      `/api/v1/namespaces/${context.name}/pods`,
      () => context.kube.core.listNamespacedPod({ namespace: context.name }),
      undefined,
      (pods) => {
        const now = new Set(pods.map((p) => p.metadata?.name ?? ""));
        for (const name of present) if (!now.has(name)) tracker.goneAtUnixMs.set(name, Date.now());
        present = now;
      },
    );
    return tracker;
  }

  async stop(): Promise<void> {
    await this.#stream?.stop();
  }
}

/**
 * Kills pods on a fixed schedule: `count` pods every `periodSeconds`, `times` times, the first at once, each round
 * with the one pod kill ({@link Backend.kill}). Each round starts on the schedule's clock, however long the previous
 * kill took, so the period is what the feature says. A round that finds too few ready pods fails, naming the round.
 */
export async function killPodsOnSchedule(
  backend: Backend,
  options: { count: number; periodSeconds: number; times: number; how: PodKill },
): Promise<string[][]> {
  const rounds: string[][] = [];
  const started = performance.now();
  for (let round = 0; round < options.times; round += 1) {
    const due = started + round * options.periodSeconds * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    const killed = await backend.kill(options.count, options.how).catch((error: unknown) => {
      if (round === 0 || !(error instanceof UserError)) throw error;
      throw new UserError(
        `round ${round + 1} of ${options.times} of the schedule: ${error.message.split("\n")[0]}`,
        `${error.fix} The schedule's period (${options.periodSeconds} s) may be too short for the backend to recover between kills.`,
        { cause: error },
      );
    });
    rounds.push(killed.map((p) => p.name));
  }
  return rounds;
}

/** Restarts a Deployment's pods the way `kubectl rollout restart` does: a new annotation on the pod template. */
export async function rollingRestart(context: ScenarioContext, deployment: string): Promise<void> {
  await context.kube.apps.patchNamespacedDeployment({
    name: deployment,
    namespace: context.name,
    body: [
      {
        op: "add",
        path: "/spec/template/metadata/annotations",
        value: { "kubectl.kubernetes.io/restartedAt": new Date().toISOString() },
      },
    ],
  });
  context.recordAction("scaled", `rolling restart of ${deployment}`);
}

/** Waits until a Deployment's rollout is complete: every replica updated and available, no old pod left. */
export async function waitForRollout(context: ScenarioContext, deployment: string, seconds: number): Promise<void> {
  await eventually(
    `the rollout of ${deployment} completes`,
    async () => {
      const d = await context.kube.apps.readNamespacedDeployment({ name: deployment, namespace: context.name });
      const want = d.spec?.replicas ?? 1;
      const s = d.status ?? {};
      const done =
        (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        s.updatedReplicas === want &&
        s.availableReplicas === want &&
        (s.replicas ?? 0) === want;
      return {
        satisfied: done,
        value: `${s.updatedReplicas ?? 0} updated, ${s.availableReplicas ?? 0} available, ${s.replicas ?? 0} in total of ${want}`,
      };
    },
    { timeoutMs: seconds * 1000, intervalMs: 500 },
  );
}
