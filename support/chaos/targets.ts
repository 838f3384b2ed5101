import { findKindNodes, type KindNode } from "../cluster/kind.ts";
import { UserError } from "../errors/user-error.ts";
import type { Kube } from "../kube/client.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";

/**
 * Where node and component faults find the Docker containers of the scenario's OWN cluster: from its Node objects
 * (their names and kind providerIDs) and the containers Docker labels with that kind cluster, never from kubequake's
 * default cluster name, so a run against another cluster (--context) can never break the kubequake cluster. Where
 * the nodes are not containers on this machine, every node fault is refused, saying why (and @needs:node-chaos
 * scenarios are skipped for the same reason: see support/capabilities/discover.ts).
 */

/** The scenario's cluster as kind containers: its kind cluster name and the container of each node. */
export interface NodeContainers {
  readonly cluster: string;
  readonly nodes: readonly KindNode[];
}

/** Read once per scenario (one node list and one `docker ps`), on the first fault that needs a node's container. */
const nodeContainersSlot = defineSlot("node containers", (scenario) => readNodeContainers(scenario.kube));

/** The kind node containers of a cluster, read from the cluster itself (see findKindNodes); a UserError otherwise. */
export async function readNodeContainers(kube: Kube): Promise<NodeContainers> {
  const nodes = (await kube.core.listNode()).items.map((n) => ({
    name: n.metadata?.name ?? "",
    providerID: n.spec?.providerID,
  }));
  const found = await findKindNodes(nodes);
  if (found.kind === "unreachable") {
    throw new UserError(
      `node and component faults act on the cluster's nodes from this machine, but ${found.why} (context "${kube.config.getCurrentContext()}")`,
      "run node faults on a kind cluster of this machine, or leave these scenarios out (tag them @needs:node-chaos: they are then skipped, saying why).",
    );
  }
  return { cluster: found.cluster, nodes: found.nodes };
}

/** The scenario's cluster's node containers (read once per scenario). */
export function nodeContainersOf(scenario: ScenarioContext): Promise<NodeContainers> {
  const pending = scenario.slot(nodeContainersSlot);
  // A failed read stays failed for the scenario (each fault then gives the same clear error); it is awaited by them.
  pending.catch(() => undefined);
  return pending;
}

/**
 * The Docker container of a node of the scenario's cluster, for faults that act on nodes from this machine (stop,
 * pause, iptables or nsenter in the node). Every node and component fault finds its containers here.
 */
export async function nodeContainerOf(scenario: ScenarioContext, node: string): Promise<string> {
  const { cluster, nodes } = await nodeContainersOf(scenario);
  const found = nodes.find((n) => n.node === node);
  if (!found) {
    throw new UserError(
      `no node "${node}" in the kind cluster "${cluster}"`,
      `use one of: ${nodes.map((n) => `${n.node} (${n.role})`).join(", ")}`,
    );
  }
  return found.container;
}

/** The container of the scenario's cluster's control-plane node (where kubectl runs with the admin kubeconfig). */
export async function controlPlaneContainerOf(scenario: ScenarioContext): Promise<string> {
  const { cluster, nodes } = await nodeContainersOf(scenario);
  const controlPlane = nodes.find((n) => n.role === "control-plane");
  if (!controlPlane) {
    throw new UserError(
      `the kind cluster "${cluster}" has no control-plane node container here (nodes: ${nodes.map((n) => `${n.node} (${n.role})`).join(", ")})`,
      "run component faults (CoreDNS, kube-proxy, the API server) on a kind cluster whose control plane runs on this machine.",
    );
  }
  return controlPlane.container;
}

/** The kind cluster of the scenario's cluster (recorded with each fault in the fault ledger). */
export async function kindClusterOf(scenario: ScenarioContext): Promise<string> {
  return (await nodeContainersOf(scenario)).cluster;
}
