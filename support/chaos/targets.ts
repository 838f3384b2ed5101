import { clusterName, listNodeContainers } from "../cluster/kind.ts";
import { UserError } from "../errors/user-error.ts";
import type { ScenarioContext } from "../scenario/context.ts";

/**
 * The Docker container of a node of the scenario's cluster, for faults that act on nodes from this machine (stop,
 * pause, iptables or nsenter in the node). Every node and component fault finds its containers here.
 */
export async function nodeContainerOf(_scenario: ScenarioContext, node: string): Promise<string> {
  const containers = await listNodeContainers();
  if (!containers.some((c) => c.name === node)) {
    throw new UserError(
      `no node "${node}" in the kubequake cluster`,
      `use one of: ${containers.map((c) => `${c.name} (${c.role})`).join(", ")}`,
    );
  }
  return node;
}

/** The container of the scenario's cluster's control-plane node (where kubectl runs with the admin kubeconfig). */
export async function controlPlaneContainerOf(_scenario: ScenarioContext): Promise<string> {
  return `${clusterName}-control-plane`;
}
