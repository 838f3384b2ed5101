import type { V1Node } from "@kubernetes/client-node";
import { connectKube } from "../kube/client.ts";

/** What the API server says about the cluster's readiness. */
export interface ClusterHealth {
  readonly apiReachable: boolean;
  readonly nodes: readonly { name: string; ready: boolean; internalIP: string }[];
  readonly dnsEndpointsReady: number;
  readonly problem?: string;
}

const isReady = (node: V1Node) =>
  node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

/** Reads node readiness and CoreDNS's ready endpoints; never throws (an unreachable API is reported as such). */
export async function readClusterHealth(kubeconfig: string): Promise<ClusterHealth> {
  try {
    const { core, discovery } = await connectKube(kubeconfig);
    const timeout = AbortSignal.timeout(10_000);
    const [nodeList, slices] = await Promise.race([
      Promise.all([
        core.listNode(),
        discovery.listNamespacedEndpointSlice({
          namespace: "kube-system",
          labelSelector: "kubernetes.io/service-name=kube-dns",
        }),
      ]),
      new Promise<never>((_, reject) =>
        timeout.addEventListener("abort", () => reject(new Error("the API server did not answer within 10 s"))),
      ),
    ]);
    const nodes = nodeList.items.map((node) => ({
      name: node.metadata?.name ?? "",
      ready: isReady(node),
      internalIP: node.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? "",
    }));
    const readyAddresses = new Set(
      slices.items.flatMap((slice) =>
        (slice.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses),
      ),
    );
    return { apiReachable: true, nodes, dnsEndpointsReady: readyAddresses.size };
  } catch (error) {
    return {
      apiReachable: false,
      nodes: [],
      dnsEndpointsReady: 0,
      problem: error instanceof Error ? error.message : String(error),
    };
  }
}

/** Why a cluster is not ready for scenarios, or undefined when it is. */
export function healthProblem(health: ClusterHealth, expectedNodes: number): string | undefined {
  if (!health.apiReachable) return `the API server does not answer (${health.problem})`;
  const ready = health.nodes.filter((n) => n.ready).length;
  if (health.nodes.length !== expectedNodes || ready !== expectedNodes) {
    return `${ready} of ${health.nodes.length} nodes Ready, expected ${expectedNodes} Ready nodes`;
  }
  if (health.dnsEndpointsReady === 0) return "CoreDNS has no ready endpoints";
  return undefined;
}
