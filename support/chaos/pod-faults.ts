import type { V1Pod } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";
import { ObjectStream } from "../kube/informer.ts";
import { deletePod, listPods, type PodSummary } from "../kube/pods.ts";
import { runCommand } from "../process/command.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";

/** How a pod is killed: deleted with its grace period, deleted at once, or its main process SIGKILLed in place. */
export type PodKill = "graceful" | "force" | "sigkill";

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

/** Ready, running pods of a backend that chaos may pick, the first ones by name so runs are reproducible. */
async function victims(context: ScenarioContext, backend: string, count: number): Promise<PodSummary[]> {
  const candidates = (await listPods(context.kube, context.name, { app: backend })).filter(
    (p) => p.ready && !p.terminating,
  );
  if (candidates.length < count) {
    throw new UserError(
      `cannot kill ${count} pod(s) of "${backend}": only ${candidates.length} are ready (${candidates.map((p) => p.name).join(", ") || "none"})`,
      "kill fewer pods, or wait until the backend is ready again before the next kill (the schedule's period may be too short for it to recover).",
    );
  }
  return candidates.slice(0, count);
}

/**
 * Kills `count` ready pods of a backend and records the event the moment the cluster accepted it. A SIGKILL goes
 * to the container's main process through the node's container runtime (the demo image has no shell): the pod stays,
 * and the kubelet restarts the container.
 */
export async function killPods(
  context: ScenarioContext,
  backend: string,
  count: number,
  how: PodKill,
): Promise<string[]> {
  const pods = await victims(context, backend, count);
  await Promise.all(
    pods.map((pod) =>
      how === "sigkill" ? killMainProcess(context, pod.name) : deletePod(context.kube, context.name, pod.name, how),
    ),
  );
  const names = pods.map((p) => p.name);
  const verb = how === "graceful" ? "killed" : how === "force" ? "force-deleted" : "SIGKILLed";
  context.recordAction(how === "force" ? "force-deleted" : "killed", `${names.join(", ")} ${verb}`, names);
  return names;
}

/**
 * The node a pod runs on and the host-side PID of its first container's main process, from the node's container
 * runtime (kind nodes are containers): what `kill` and `nsenter` on the node need.
 */
export async function containerMainProcess(
  context: ScenarioContext,
  pod: string,
): Promise<{ pod: string; node: string; pid: string }> {
  const read = await context.kube.core.readNamespacedPod({ namespace: context.name, name: pod });
  const node = read.spec?.nodeName;
  const containerId = read.status?.containerStatuses?.[0]?.containerID?.replace(/^\w+:\/\//, "");
  if (!node || !containerId) throw new Error(`pod ${pod} has no running container (node ${node ?? "none"})`);
  const inspect = await runCommand(
    "docker",
    ["exec", node, "crictl", "inspect", "--output", "go-template", "--template", "{{.info.pid}}", containerId],
    { timeoutMs: 30_000 },
  );
  const pid = inspect.stdout.trim();
  if (!/^\d+$/.test(pid)) throw new Error(`crictl did not report the main PID of ${pod}'s container: "${pid}"`);
  return { pod, node, pid };
}

/** SIGKILLs the main process of a pod's first container, from the node it runs on. */
async function killMainProcess(context: ScenarioContext, pod: string): Promise<void> {
  const { node, pid } = await containerMainProcess(context, pod);
  await runCommand("docker", ["exec", node, "kill", "-KILL", pid], { timeoutMs: 30_000 });
}

/**
 * Kills pods on a fixed schedule: `count` pods every `periodSeconds`, `times` times, the first at once. Each round
 * starts on the schedule's clock, however long the previous kill took, so the period is what the feature says.
 */
export async function killPodsOnSchedule(
  context: ScenarioContext,
  backend: string,
  options: { count: number; periodSeconds: number; times: number; how: PodKill },
): Promise<string[][]> {
  const rounds: string[][] = [];
  const started = performance.now();
  for (let round = 0; round < options.times; round += 1) {
    const due = started + round * options.periodSeconds * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    rounds.push(await killPods(context, backend, options.count, options.how));
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
