import type { V1Pod } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";
import { eventually } from "../wait/eventually.ts";
import type { Kube } from "./client.ts";

/** The parts of a pod scenarios reason about. */
export interface PodSummary {
  readonly name: string;
  readonly ip: string;
  /** Every address of the pod (one per family on a dual-stack cluster); its primary `ip` first. */
  readonly ips: readonly string[];
  readonly node: string;
  readonly phase: string;
  readonly ready: boolean;
  /** When the Ready condition last turned True (whole seconds, as the API keeps it); unset when not ready. */
  readonly readySinceUnixMs?: number;
  readonly terminating: boolean;
  /** The first container's restart count, as the kubelet reports it. */
  readonly restarts: number;
  readonly labels: Record<string, string>;
  /** Why a container is not running, as the kubelet says (e.g. ErrImageNeverPull: message), if it says. */
  readonly waiting: string;
}

export function summarizePod(pod: V1Pod): PodSummary {
  const ready = pod.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True");
  const readySince = ready?.lastTransitionTime == null ? Number.NaN : new Date(ready.lastTransitionTime).getTime();
  return {
    name: pod.metadata?.name ?? "",
    ip: pod.status?.podIP ?? "",
    ips: (pod.status?.podIPs ?? []).map((a) => a.ip).filter((ip) => ip !== ""),
    node: pod.spec?.nodeName ?? "",
    phase: pod.status?.phase ?? "",
    ready: ready !== undefined,
    ...(Number.isNaN(readySince) ? {} : { readySinceUnixMs: readySince }),
    terminating: pod.metadata?.deletionTimestamp !== undefined,
    restarts: pod.status?.containerStatuses?.[0]?.restartCount ?? 0,
    labels: pod.metadata?.labels ?? {},
    waiting: waitingReason(pod),
  };
}

/**
 * Pods in the order a kill takes them: the longest ready first (so a kill hits a pod every node's kube-proxy has long
 * been sending traffic to, not a replacement that turned ready a moment ago); pods ready in the same second (the API
 * keeps whole seconds) by name.
 */
export function longestReadyFirst(pods: readonly PodSummary[]): PodSummary[] {
  const since = (pod: PodSummary) => pod.readySinceUnixMs ?? Number.POSITIVE_INFINITY;
  return [...pods].sort((a, b) => since(a) - since(b) || a.name.localeCompare(b.name));
}

/** The first reason a pod's containers are not running: waiting reasons, an unschedulable pod, a crash. */
function waitingReason(pod: V1Pod): string {
  for (const status of pod.status?.containerStatuses ?? []) {
    const waiting = status.state?.waiting;
    if (waiting?.reason && waiting.reason !== "ContainerCreating")
      return `${status.name}: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}`;
  }
  const unschedulable = pod.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
  return unschedulable ? `unschedulable: ${unschedulable.message ?? unschedulable.reason}` : "";
}

/** Waiting reasons that do not go away by waiting longer: the pod will never be Ready as it is. */
const hopeless = /ErrImageNeverPull|InvalidImageName|ErrImagePull|ImagePullBackOff|CreateContainerConfigError/;

export function selectorString(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
}

export async function listPods(kube: Kube, namespace: string, selector: Record<string, string>): Promise<PodSummary[]> {
  const list = await kube.core.listNamespacedPod({ namespace, labelSelector: selectorString(selector) });
  return list.items.map(summarizePod).sort((a, b) => a.name.localeCompare(b.name));
}

/** Waits until exactly `count` pods match, are Ready and not terminating; returns them. */
export async function waitForReadyPods(
  kube: Kube,
  namespace: string,
  selector: Record<string, string>,
  count: number,
  timeoutMs: number,
): Promise<PodSummary[]> {
  let ready: PodSummary[] = [];
  await eventually(
    `${count} pod(s) matching ${selectorString(selector)} in ${namespace} are Ready`,
    async () => {
      const pods = await listPods(kube, namespace, selector);
      const stuck = pods.find((p) => hopeless.test(p.waiting));
      if (stuck) throw new PodCannotStartError(stuck);
      ready = pods.filter((p) => p.ready && !p.terminating);
      return {
        satisfied: ready.length === count && pods.length === count,
        value: pods.length === 0 ? "no pods" : pods.map(describePod),
      };
    },
    { timeoutMs, intervalMs: 300 },
  );
  return ready;
}

export function describePod(pod: PodSummary): string {
  return `${pod.name} ${pod.phase}${pod.ready ? " Ready" : " NotReady"}${pod.terminating ? " Terminating" : ""} ${pod.ip || "(no IP)"} on ${pod.node || "(unscheduled)"}${pod.waiting ? ` (${pod.waiting})` : ""}`;
}

/** A pod that will not start however long one waits (its image cannot be pulled, its config is invalid). */
export class PodCannotStartError extends UserError {
  constructor(pod: PodSummary) {
    super(
      `pod ${pod.name} cannot start: ${pod.waiting}`,
      /ErrImageNeverPull|ErrImagePull|ImagePullBackOff/.test(pod.waiting)
        ? "the image is not on the node and no registry is reachable here: use kubequake.local/demo:current (loaded by cluster up), or load your image with `kind load docker-image IMAGE --name kubequake`."
        : "fix the pod spec named above (kubectl describe pod shows the same reason).",
    );
  }
}

/** Deletes a pod gracefully (its terminationGracePeriodSeconds) or forcibly (grace 0). */
export async function deletePod(
  kube: Kube,
  namespace: string,
  name: string,
  mode: "graceful" | "force",
): Promise<void> {
  await kube.core.deleteNamespacedPod({ namespace, name, ...(mode === "force" ? { gracePeriodSeconds: 0 } : {}) });
}
