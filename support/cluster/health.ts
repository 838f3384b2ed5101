import type { V1Node } from "@kubernetes/client-node";
import { connectKube, type Kube } from "../kube/client.ts";

/** What the API server says about the cluster's readiness. */
export interface ClusterHealth {
  readonly apiReachable: boolean;
  readonly nodes: readonly { name: string; ready: boolean; internalIP: string }[];
  readonly dnsEndpointsReady: number;
  readonly problem?: string;
  /** The kubeconfig could not be read, so the API server was never asked. */
  readonly kubeconfigUnreadable?: boolean;
}

const isReady = (node: V1Node) =>
  node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

/**
 * Reads node readiness and CoreDNS's ready endpoints; never throws (an unreachable API is reported as such). It reads
 * the kubeconfig on every call, on purpose: it is polled while `cluster up` creates or recreates the cluster, which
 * rewrites that file.
 */
export async function readClusterHealth(kubeconfig: string): Promise<ClusterHealth> {
  let kube: Kube;
  try {
    kube = await connectKube(kubeconfig);
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    return { apiReachable: false, nodes: [], dnsEndpointsReady: 0, problem, kubeconfigUnreadable: true };
  }
  try {
    const { core, discovery } = kube;
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
  if (health.kubeconfigUnreadable) return health.problem;
  if (!health.apiReachable) return `the API server does not answer (${health.problem})`;
  const ready = health.nodes.filter((n) => n.ready).length;
  if (health.nodes.length !== expectedNodes || ready !== expectedNodes) {
    return `${ready} of ${health.nodes.length} nodes Ready, expected ${expectedNodes} Ready nodes`;
  }
  if (health.dnsEndpointsReady === 0) return "CoreDNS has no ready endpoints";
  return undefined;
}
