import { homedir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../process/command.ts";
import { variantClusterName, variantIpFamily, variantNetworkName, variantProxyMode } from "./variant.ts";

/** kube-proxy's mode in kubequake's own cluster (`--proxy-mode`, through KUBEQUAKE_PROXY_MODE). */
export const proxyMode = variantProxyMode();
/** The IP families of kubequake's own cluster (`--ip-family`, through KUBEQUAKE_IP_FAMILY). */
export const ipFamily = variantIpFamily();
/** kubequake's own kind cluster: one per variant ("kubequake", "kubequake-nftables"…), unless KUBEQUAKE_CLUSTER says. */
export const clusterName = process.env.KUBEQUAKE_CLUSTER ?? variantClusterName(proxyMode, ipFamily);
/** The Docker network its nodes join ("kind", or "kind-dual" for a dual-stack cluster). */
export const kindNetworkName = process.env.KIND_EXPERIMENTAL_DOCKER_NETWORK ?? variantNetworkName(ipFamily);
/** kubequake's own kubeconfig, rewritten on every `cluster up` so a stale context can never be used. */
export const kubeconfigPath = process.env.KUBEQUAKE_KUBECONFIG ?? join(homedir(), ".kube", `${clusterName}.config`);
export const workerCount = 2;
/** Where kubequake keeps what it builds and its state (the fault ledger) on this machine. */
export const cacheRoot = process.env.KUBEQUAKE_CACHE ?? join(homedir(), ".cache", "kubequake");
/**
 * The DNS zone whose names CoreDNS answers with the address they spell (ip-172-18-0-9.outside.test -> 172.18.0.9), so
 * an ExternalName Service can name a container outside the cluster; `cluster up` configures it.
 */
export const outsideZone = "outside.test";

/** A kind node container as Docker reports it. */
export interface NodeContainer {
  readonly name: string;
  readonly state: string;
  readonly image: string;
  readonly role: string;
}

/** The kind clusters that have node containers on this machine (any state), by name. */
export async function listKindClusters(): Promise<string[]> {
  const result = await runCommand(
    "docker",
    ["ps", "-a", "--filter", "label=io.x-k8s.kind.cluster", "--format", '{{.Label "io.x-k8s.kind.cluster"}}'],
    { timeoutMs: 30_000 },
  );
  return [...new Set(result.stdout.split("\n").filter(Boolean))].sort();
}

export async function listNodeContainers(cluster = clusterName): Promise<NodeContainer[]> {
  const result = await runCommand(
    "docker",
    [
      "ps",
      "-a",
      "--filter",
      `label=io.x-k8s.kind.cluster=${cluster}`,
      "--format",
      '{{.Names}}\t{{.State}}\t{{.Image}}\t{{.Label "io.x-k8s.kind.role"}}',
    ],
    { timeoutMs: 30_000 },
  );
  return result.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [name = "", state = "", image = "", role = ""] = line.split("\t");
      return { name, state, image, role };
    });
}

/** A node of a cluster and the kind node container on this machine that runs it. */
export interface KindNode {
  readonly node: string;
  readonly container: string;
  readonly role: string;
}

/**
 * Where a cluster's nodes are kind node containers on this machine: the kind cluster they belong to and each node's
 * container; otherwise why not. Found from the cluster itself, never from a default name: each Node's
 * `spec.providerID` (kind sets `kind://docker/<cluster>/<node>`) names the kind cluster, and the containers are those
 * Docker labels with that cluster (`io.x-k8s.kind.cluster`) whose names are the nodes' names.
 */
export type KindNodes =
  | { readonly kind: "containers"; readonly cluster: string; readonly nodes: readonly KindNode[] }
  | { readonly kind: "unreachable"; readonly why: string };

/** Reads which kind cluster `nodes` (the Node objects of a cluster) belong to and their containers (see KindNodes). */
export async function findKindNodes(
  nodes: readonly { readonly name: string; readonly providerID?: string }[],
): Promise<KindNodes> {
  if (nodes.length === 0) return { kind: "unreachable", why: "the cluster has no nodes" };
  const clusters = new Set(nodes.map((n) => kindClusterOfProviderID(n.providerID ?? "")));
  const [cluster] = clusters;
  if (clusters.size !== 1 || cluster === undefined) {
    const notKind = nodes.filter((n) => kindClusterOfProviderID(n.providerID ?? "") === undefined);
    return {
      kind: "unreachable",
      why:
        notKind.length > 0
          ? `node(s) ${listSome(notKind.map((n) => `${n.name} (providerID "${n.providerID ?? ""}")`))} are not kind nodes, so node faults cannot reach them`
          : `the nodes belong to several kind clusters (${[...clusters].join(", ")})`,
    };
  }
  const listed = await runCommand(
    "docker",
    [
      "ps",
      "-a",
      "--filter",
      `label=io.x-k8s.kind.cluster=${cluster}`,
      "--format",
      '{{.Names}}\t{{.Label "io.x-k8s.kind.role"}}',
    ],
    { timeoutMs: 20_000, allowFailure: true },
  ).catch(() => undefined);
  if (listed?.exitCode !== 0)
    return { kind: "unreachable", why: "no Docker engine answers here, so the nodes cannot be stopped or entered" };
  const containers = new Map(
    listed.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [name = "", role = ""] = line.split("\t");
        return [name, role] as const;
      }),
  );
  const missing = nodes.filter((n) => !containers.has(n.name));
  if (missing.length > 0) {
    return {
      kind: "unreachable",
      why: `node(s) ${listSome(missing.map((n) => n.name))} of the kind cluster "${cluster}" are not Docker containers on this machine, so node faults cannot reach them`,
    };
  }
  return {
    kind: "containers",
    cluster,
    nodes: nodes.map((n) => ({ node: n.name, container: n.name, role: containers.get(n.name) ?? "" })),
  };
}

/** The kind cluster a node's providerID names (`kind://docker/<cluster>/<node>`), or undefined for any other. */
export function kindClusterOfProviderID(providerID: string): string | undefined {
  return /^kind:\/\/[^/]+\/([^/]+)\/[^/]+$/.exec(providerID)?.[1];
}

function listSome(items: readonly string[]): string {
  return `${items.slice(0, 3).join(", ")}${items.length > 3 ? ` and ${items.length - 3} more` : ""}`;
}
