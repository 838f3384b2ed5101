import type { KubernetesObject, V1Service } from "@kubernetes/client-node";
import { apiErrorMessage, apiStatus } from "../kube/client.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";

/** The distinct NodePorts a Service holds: its ports' nodePort and its healthCheckNodePort. */
export function heldNodePorts(object: KubernetesObject | undefined): number[] {
  if (object?.kind !== "Service") return [];
  const spec = (object as V1Service).spec;
  const ports = (spec?.ports ?? []).map((port) => port.nodePort);
  return [...new Set([...ports, spec?.healthCheckNodePort].filter((port): port is number => Boolean(port)))];
}

/** A Service that asks for exactly these NodePorts, for a dry-run create (nothing is stored or allocated). */
export function nodePortProbe(namespace: string, nodePorts: readonly number[]): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { generateName: "kq-nodeport-probe-", namespace },
    spec: {
      type: "NodePort",
      ports: nodePorts.map((nodePort, index) => ({ name: `p${index}`, port: 1 + index, nodePort })),
    },
  };
}

/** Whether an API refusal says a NodePort is still taken (the allocator's own words). */
export function saysPortAllocated(error: unknown): boolean {
  return apiErrorMessage(error).includes("provided port is already allocated");
}

/**
 * Waits until the NodePorts of a deleted Service are free again. The API server frees them a moment after the object
 * is gone: its delete hook first deletes the Service's Endpoints, then releases its ClusterIPs, then its NodePorts,
 * each an etcd write; on a loaded machine a new Service on the same port was refused in that gap. A server-side
 * dry-run create on the same ports is refused until the release, and stores nothing. A probe refused for another
 * reason ends the wait (noted): it is a courtesy to the next step, not a check.
 */
export async function waitUntilNodePortsFree(
  scenario: ScenarioContext,
  service: string,
  nodePorts: readonly number[],
  seconds: number,
): Promise<void> {
  if (nodePorts.length === 0) return;
  const probe = nodePortProbe(scenario.name, nodePorts);
  const ports = nodePorts.join(", ");
  const { value, elapsedMs } = await eventually(
    `the NodePort(s) ${ports} of the deleted Service "${service}" are free again`,
    async () => {
      try {
        await scenario.kube.core.createNamespacedService({ namespace: scenario.name, body: probe, dryRun: "All" });
        return { satisfied: true, value: "free" };
      } catch (error) {
        if (saysPortAllocated(error)) return { satisfied: false, value: "still allocated" };
        // No answer (a timeout, a reset): ask again.
        if (apiStatus(error) === undefined) throw error;
        // On another cluster a webhook may refuse dry runs: the probe cannot tell, so the step does not wait.
        return { satisfied: true, value: `not known (the dry-run probe was refused: ${apiErrorMessage(error)})` };
      }
    },
    { timeoutMs: seconds * 1000, intervalMs: 100 },
  );
  scenario.note(`NodePort(s) ${ports} of ${service} ${value} ${(elapsedMs / 1000).toFixed(3)} s after it was gone`);
}
