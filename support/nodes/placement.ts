import { UserError } from "../errors/user-error.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { rememberValue } from "../scenario/remembered-values.ts";
import { clientPodsOnNodes } from "../scheduling/client-placement.ts";

/**
 * Remembers, as `name`, a worker (a schedulable node without the control-plane role) on which none of the scenario's
 * client pods runs: the node a scenario can break without breaking its own client. The first such by name, so a
 * scenario picks the same node on the same cluster.
 */
export async function rememberWorkerWithoutClients(scenario: ScenarioContext, name: string): Promise<string> {
  const [nodes, clients] = await Promise.all([scenario.kube.core.listNode(), clientPodsOnNodes(scenario)]);
  const workers = nodes.items
    .filter((node) => !Object.hasOwn(node.metadata?.labels ?? {}, "node-role.kubernetes.io/control-plane"))
    .filter((node) => !node.spec?.unschedulable)
    .map((node) => node.metadata?.name ?? "")
    .sort();
  const busy = new Set(clients.map((client) => client.node));
  const free = workers.find((worker) => !busy.has(worker));
  if (free === undefined) {
    throw new UserError(
      `every worker runs a client pod of the scenario (${clients.map((c) => `${c.pod} on ${c.node}`).join(", ") || `workers: ${workers.join(", ") || "none"}`}), so there is no worker without clients to remember as "${name}"`,
      'place the clients first, e.g. from a client pod on node "<the control plane>", or pick the node by name.',
    );
  }
  rememberValue(scenario, name, free, "a worker without the scenario's client pods");
  return free;
}
