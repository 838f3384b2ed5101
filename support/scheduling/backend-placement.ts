import { UserError } from "../errors/user-error.ts";
import type { ClusterNode } from "../nodes/registry.ts";
import { sendPatch } from "../objects/patch-request.ts";
import type { Backend } from "../services/backend.ts";
import { eventually } from "../wait/eventually.ts";

/** Where a backend's pods go relative to one node: only there, or anywhere but there. */
export type Placement = "on" | "away from";

/**
 * Places a backend's pods on purpose: its Deployment's or StatefulSet's pod template gets a required node affinity on
 * the node's name (`matchFields` on `metadata.name`, exact on any cluster, unlike the hostname label), and the step
 * waits until every replica runs where it should and is ready, with no pod left elsewhere. For chaos that must spare
 * or hit the backends: keep them off the node a fault will break, or put them all on it.
 */
export async function placeBackend(
  backend: Backend,
  placement: Placement,
  node: ClusterNode,
  seconds: number,
): Promise<void> {
  const { scenario, name } = backend;
  if (backend.workload === "pods") {
    throw new UserError(
      `the pods of "${name}" were made by a manifest without a Deployment or StatefulSet, so there is no pod template to place them with`,
      "run them from a Deployment or StatefulSet (e.g. Given the demo backend runs 2 replicas …), or give the pods a nodeName in the manifest.",
    );
  }
  const operator = placement === "on" ? "In" : "NotIn";
  const affinity = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator, values: [node.name] }] }],
      },
    },
  };
  const target = { apiVersion: "apps/v1", kind: backend.workload, metadata: { name, namespace: scenario.name } };
  const body = { spec: { template: { spec: { affinity } } } };
  const workload = (await sendPatch(scenario.kube, target, body, "strategic")) as { spec?: { replicas?: number } };
  const replicas = workload.spec?.replicas ?? 1;
  scenario.recordAction("patched", `the pods of ${name} placed ${placement} ${node.name}`, [], name);
  await eventually(
    `all ${replicas} pod(s) of ${name} run ${placement} the node ${node.name}, ready, and no other pod of ${name} is left`,
    async () => {
      await refuseUnschedulable(backend, placement, node);
      const pods = await backend.pods();
      const misplaced = pods.filter((p) => (p.node === node.name) !== (placement === "on"));
      const ready = pods.filter((p) => p.ready && !p.terminating);
      return {
        satisfied: misplaced.length === 0 && ready.length === replicas && pods.length === replicas,
        value: pods.map((p) => `${p.name} on ${p.node || "no node yet"}${p.ready ? "" : " (not ready)"}`).join(", "),
      };
    },
    { timeoutMs: seconds * 1000, intervalMs: 500 },
  );
}

/**
 * A pod the scheduler has found no node for: waiting cannot fix a placement the cluster refuses (a tainted node, a
 * node too small), so the scheduler's own reason is reported at once.
 */
async function refuseUnschedulable(backend: Backend, placement: Placement, node: ClusterNode): Promise<void> {
  const { scenario, name } = backend;
  const pods = await scenario.kube.core.listNamespacedPod({ namespace: scenario.name, labelSelector: `app=${name}` });
  for (const pod of pods.items) {
    const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    if (scheduled?.status !== "False" || scheduled.reason !== "Unschedulable") continue;
    throw new UserError(
      `the pods of "${name}" cannot all run ${placement} the node ${node.name}: the scheduler found no node for ${pod.metadata?.name} (${scheduled.message ?? "no reason given"})`,
      placement === "on"
        ? "pick a node the pods may run on (not a tainted control-plane node, one with room for them)."
        : "leave room for them on the other nodes, or place them away from another node.",
    );
  }
}
