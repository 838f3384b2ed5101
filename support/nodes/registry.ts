import type { V1Node } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";
import type { Kube } from "../kube/client.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";
import { nodeNameOnThisCluster } from "./names.ts";

/** A node of the cluster, as steps name it ("kubequake-worker"). */
export interface ClusterNode {
  readonly name: string;
  /** Its InternalIP (the address kube-proxy serves NodePorts on); empty when the node reports none. */
  readonly internalIP: string;
  /** Whether it carries the control-plane role label. */
  readonly controlPlane: boolean;
}

/** What a V1Node tells about the node, for steps. */
export function describeNode(node: V1Node): ClusterNode {
  return {
    name: node.metadata?.name ?? "",
    internalIP: node.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? "",
    controlPlane: Object.hasOwn(node.metadata?.labels ?? {}, "node-role.kubernetes.io/control-plane"),
  };
}

async function readClusterNodes(kube: Kube): Promise<ClusterNode[]> {
  const nodes = (await kube.core.listNode()).items.map(describeNode);
  return nodes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The cluster's nodes, read once per scenario on the first step that names a node (one list call; none in scenarios
 * that name no node). Per scenario rather than per run: on a real cluster an autoscaler adds and removes nodes between
 * scenarios, while within one scenario a stopped or paused node keeps its name (a node fault changes its state, not
 * the list).
 */
const clusterNodesSlot = defineSlot("cluster nodes", (scenario) => readClusterNodes(scenario.kube));

/** The node `name` of the cluster (the {node} parameter type); a UserError listing the cluster's nodes otherwise. */
export async function clusterNode(scenario: ScenarioContext, written: string): Promise<ClusterNode> {
  const name = nodeNameOnThisCluster(written);
  const nodes = await scenario.slot(clusterNodesSlot);
  const node = nodes.find((n) => n.name === name);
  if (node) return node;
  throw new UserError(
    `there is no node "${name}" in the cluster (nodes: ${nodes.map((n) => `${n.name}${n.controlPlane ? " (control plane)" : ""}`).join(", ") || "none"})`,
    "use one of the names above (kubectl get nodes lists them too).",
  );
}
