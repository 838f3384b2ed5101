import { steadyTrafficRunning, steadyTrafficState } from "../chaos/steady-traffic.ts";
import { UserError } from "../errors/user-error.ts";
import type { ScenarioContext } from "../scenario/context.ts";

/** A client pod of the scenario and the node it runs on. */
export interface PlacedClient {
  readonly pod: string;
  readonly node: string;
}

/**
 * The scenario's client pods (every prober it made: "a client pod", the steady traffic's, "a client pod on node n",
 * hostNetwork clients, client pods described in YAML) and their nodes, read from the cluster: what is really placed
 * where, whichever step made it.
 */
export async function clientPodsOnNodes(scenario: ScenarioContext): Promise<PlacedClient[]> {
  const pods = await scenario.kube.core.listNamespacedPod({
    namespace: scenario.name,
    labelSelector: "kubequake.dev/prober",
  });
  return pods.items
    .filter((pod) => pod.spec?.nodeName && !pod.metadata?.deletionTimestamp)
    .map((pod) => ({ pod: pod.metadata?.name ?? "", node: pod.spec?.nodeName ?? "" }));
}

/**
 * The refusal of a fault that would break the scenario's own client: the steady traffic's client pods (`clients`) on
 * a node the fault breaks would fail for the fault's own sake, and the traffic's figures would blame the Service.
 * Undefined when none is there.
 */
export function clientInTheWay(
  fault: string,
  broken: readonly string[],
  clients: readonly PlacedClient[],
  nodes: readonly string[],
): UserError | undefined {
  const hit = clients.filter((client) => broken.includes(client.node));
  if (hit.length === 0) return undefined;
  const spared = nodes.filter((node) => !broken.includes(node));
  const where = spared.length > 0 ? `"${spared[0]}"` : '"<another node>"';
  return new UserError(
    `"${fault}" would break the scenario's own client: the steady traffic's client pod ${hit.map((c) => `${c.pod} runs on ${c.node}`).join(", and ")}, so its requests would fail for the fault's sake, not the Service's`,
    `place the client on a node the fault spares before it starts, e.g. Given steady traffic of 50 requests per second to "http://web" from a client pod on node ${where} (or send from a client pod on node ${where}); or break another node.`,
  );
}

/**
 * Refuses, before anything is touched, a fault on `broken` nodes where a client pod of the running steady traffic
 * runs. Other client pods of the scenario there (the one that checked a Service was in service, say) are only noted:
 * whether a later step sends from them is not known yet, and most scenarios do not.
 */
export async function refuseBreakingOwnClients(
  scenario: ScenarioContext,
  fault: string,
  broken: readonly string[],
): Promise<void> {
  if (broken.length === 0) return;
  const [clients, nodes] = await Promise.all([clientPodsOnNodes(scenario), scenario.kube.core.listNode()]);
  const steady = new Set(steadyTrafficRunning(scenario) ? (steadyTrafficState(scenario)?.load.clients ?? []) : []);
  const refusal = clientInTheWay(
    fault,
    broken,
    clients.filter((client) => steady.has(client.pod)),
    nodes.items.map((n) => n.metadata?.name ?? "").sort(),
  );
  if (refusal) throw refusal;
  for (const client of clients.filter((c) => broken.includes(c.node))) {
    scenario.note(
      `"${fault}" breaks the node of the client pod ${client.pod}: a later step sending from it would fail`,
    );
  }
}
