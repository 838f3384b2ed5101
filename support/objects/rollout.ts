import type { KubernetesObject } from "@kubernetes/client-node";
import type { ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";
import { readObject } from "./fields.ts";

/** Kinds whose pods a manifest's Services may select, and how to tell they are all ready. */
const readiness: Record<string, (object: Status) => { ready: boolean; seen: string }> = {
  Deployment: (o) => replicasReady(o),
  StatefulSet: (o) => replicasReady(o),
  ReplicaSet: (o) => replicasReady(o),
  DaemonSet: (o) => {
    const want = o.status?.desiredNumberScheduled ?? 0;
    const ready = o.status?.numberReady ?? 0;
    return { ready: current(o) && want > 0 && ready === want, seen: `${ready} of ${want} scheduled pods ready` };
  },
  Pod: (o) => {
    const ready = o.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    return { ready, seen: ready ? "Ready" : (o.status?.phase ?? "no status yet") };
  },
};

interface Status extends KubernetesObject {
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    desiredNumberScheduled?: number;
    numberReady?: number;
    phase?: string;
    conditions?: { type: string; status: string }[];
  };
}

function current(o: Status): boolean {
  return (o.status?.observedGeneration ?? 0) >= (o.metadata?.generation ?? 0);
}

function replicasReady(o: Status): { ready: boolean; seen: string } {
  const want = o.spec?.replicas ?? 1;
  const ready = o.status?.readyReplicas ?? 0;
  const updated = o.status?.updatedReplicas ?? 0;
  return {
    ready: current(o) && ready === want && updated === want,
    seen: `${ready} of ${want} replicas ready, ${updated} updated`,
  };
}

/** Whether kubequake knows how to wait for this kind's pods. */
export function isWorkload(object: KubernetesObject): boolean {
  return object.kind !== undefined && object.kind in readiness;
}

/**
 * Waits until a workload the scenario applied has all its pods ready and up to date (a Deployment's rollout done, a
 * Pod Ready), so Services applied with it are waited for with the pods they will have, not the none of the moment.
 */
export async function waitForWorkload(scenario: ScenarioContext, object: KubernetesObject, seconds = 90) {
  const check = readiness[object.kind ?? ""];
  if (!check) return;
  const ref = { ...object, metadata: { name: object.metadata?.name, namespace: scenario.name } };
  await eventually(
    `${object.kind} ${object.metadata?.name} has all its pods ready`,
    async () => {
      const live = (await readObject(scenario.kube, ref)) as Status | undefined;
      if (!live) return { satisfied: false, value: "does not exist" };
      const { ready, seen } = check(live);
      return { satisfied: ready, value: seen };
    },
    { timeoutMs: seconds * 1000, intervalMs: 250 },
  );
}
