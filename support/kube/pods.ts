import type { V1Pod } from "@kubernetes/client-node";
import { eventually } from "../wait/eventually.ts";
import type { Kube } from "./client.ts";

/** The parts of a pod scenarios reason about. */
export interface PodSummary {
  readonly name: string;
  readonly ip: string;
  readonly node: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly terminating: boolean;
  readonly labels: Record<string, string>;
}

export function summarizePod(pod: V1Pod): PodSummary {
  return {
    name: pod.metadata?.name ?? "",
    ip: pod.status?.podIP ?? "",
    node: pod.spec?.nodeName ?? "",
    phase: pod.status?.phase ?? "",
    ready: pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    terminating: pod.metadata?.deletionTimestamp !== undefined,
    labels: pod.metadata?.labels ?? {},
  };
}

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
  return `${pod.name} ${pod.phase}${pod.ready ? " Ready" : " NotReady"}${pod.terminating ? " Terminating" : ""} ${pod.ip || "(no IP)"} on ${pod.node || "(unscheduled)"}`;
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
