import type { V1Node } from "@kubernetes/client-node";
import { parse } from "yaml";
import { chaosAllowed, chaosContexts } from "../chaos/safety.ts";
import { findKindNodes } from "../cluster/kind.ts";
import type { Kube } from "../kube/client.ts";
import { ScenarioNamespace } from "../kube/namespace.ts";
import { EventuallyTimeoutError, eventually } from "../wait/eventually.ts";
import type { Capabilities, Capability } from "./needs.ts";

const isReady = (node: V1Node) =>
  node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

/** A node pods may be scheduled on: Ready, not cordoned, no NoSchedule/NoExecute taint (e2e.test's own rule). */
const isSchedulable = (node: V1Node) =>
  isReady(node) &&
  !node.spec?.unschedulable &&
  !(node.spec?.taints ?? []).some((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");

/** CNI DaemonSets by the names their manifests give them in kube-system (or kube-flannel). */
const knownCnis = ["flannel", "calico", "cilium", "weave", "kindnet", "antrea", "canal", "kube-router", "aws-node"];

/**
 * Asks the cluster what it offers: nodes and zones, kube-proxy's mode (or what replaces it), the CNI, and whether
 * node faults can reach the nodes (they are Docker containers on this machine, as kind's are) and may (the
 * context is allowlisted for chaos). Reads only; LoadBalancer support is probed separately ({@link probeLoadBalancer}).
 */
export async function discoverCapabilities(kube: Kube, ownCluster: boolean): Promise<Capabilities> {
  const context = kube.config.getCurrentContext();
  const [nodes, version, kubeProxy, cni, serviceCidrs] = await Promise.all([
    kube.core.listNode(),
    kubernetesVersion(kube),
    kubeProxyMode(kube),
    cniName(kube),
    serviceCIDRs(kube),
  ]);
  const names = nodes.items.map((n) => n.metadata?.name ?? "");
  const nodesReachable = await nodesAreLocalContainers(
    nodes.items.map((n) => ({ name: n.metadata?.name ?? "", providerID: n.spec?.providerID })),
  );
  return {
    context,
    ownCluster,
    kubernetesVersion: version,
    nodeNames: names,
    nodes: {
      total: nodes.items.length,
      ready: nodes.items.filter(isReady).length,
      schedulable: nodes.items.filter(isSchedulable).length,
    },
    zones: [...new Set(nodes.items.flatMap((n) => n.metadata?.labels?.["topology.kubernetes.io/zone"] ?? []))].sort(),
    kubeProxy,
    cni,
    serviceCIDRs: serviceCidrs,
    nodesReachable,
    nodeChaos: chaosAllowed(context)
      ? nodesReachable
      : {
          available: false,
          why: `the context "${context}" is not allowlisted for chaos (allowed: ${chaosContexts().join(", ")}; set KUBEQUAKE_CHAOS_CONTEXTS=${context} if it is disposable)`,
        },
  };
}

async function kubernetesVersion(kube: Kube): Promise<string> {
  const response = await fetchApi(kube, "/version");
  return (response as { gitVersion?: string } | undefined)?.gitVersion ?? "unknown";
}

/** GETs a path of the API server with the kubeconfig's credentials; undefined when it does not answer. */
async function fetchApi(kube: Kube, path: string): Promise<unknown> {
  const { request } = await import("undici");
  try {
    const response = await request(`${kube.server}${path}`, {
      dispatcher: kube.agent,
      headers: kube.headers,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    return response.statusCode === 200 ? await response.body.json() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The cluster's Service IP ranges (networking.k8s.io/v1 ServiceCIDRs, GA in 1.33; the "kubernetes" one holds the
 * API server's --service-cluster-ip-range): an IPv6 range means Services can have IPv6 ClusterIPs. Empty when the
 * API has none to show (an older cluster).
 */
async function serviceCIDRs(kube: Kube): Promise<string[]> {
  const list = (await fetchApi(kube, "/apis/networking.k8s.io/v1/servicecidrs")) as
    | { items?: { spec?: { cidrs?: string[] } }[] }
    | undefined;
  return [...new Set(list?.items?.flatMap((item) => item.spec?.cidrs ?? []) ?? [])].sort();
}

/** kube-proxy's configured mode (kubeadm's ConfigMap; "" means iptables on Linux), or what runs instead of it. */
export async function kubeProxyMode(kube: Kube): Promise<string> {
  const daemonSet = await kube.apps
    .readNamespacedDaemonSet({ name: "kube-proxy", namespace: "kube-system" })
    .catch(() => undefined);
  if (!daemonSet) {
    const others = await kube.apps.listNamespacedDaemonSet({ namespace: "kube-system" }).catch(() => undefined);
    const replacement = others?.items.map((d) => d.metadata?.name ?? "").find((n) => /cilium|kube-router/.test(n));
    return `none${replacement ? `: ${replacement} replaces it` : ""}`;
  }
  const config = await kube.core
    .readNamespacedConfigMap({ name: "kube-proxy", namespace: "kube-system" })
    .catch(() => undefined);
  const conf = config?.data?.["config.conf"];
  if (!conf) return "present (mode unknown: no kube-system/kube-proxy ConfigMap)";
  const mode = (parse(conf) as { mode?: string } | null)?.mode;
  return mode || "iptables";
}

async function cniName(kube: Kube): Promise<string> {
  const sets = await Promise.all(
    ["kube-system", "kube-flannel", "calico-system"].map((namespace) =>
      kube.apps.listNamespacedDaemonSet({ namespace }).catch(() => undefined),
    ),
  );
  const names = sets.flatMap((s) => s?.items ?? []).map((d) => d.metadata?.name ?? "");
  return knownCnis.find((cni) => names.some((n) => n.includes(cni))) ?? "unknown";
}

/**
 * Node faults and image loading run `docker stop/pause/exec` on the node containers, so every node must be a
 * kind node container on this machine, found as the faults find them (support/chaos/targets.ts): by the nodes'
 * kind providerIDs and Docker's kind labels, so this and the faults cannot disagree.
 */
async function nodesAreLocalContainers(
  nodes: readonly { readonly name: string; readonly providerID?: string }[],
): Promise<Capability> {
  const found = await findKindNodes(nodes);
  if (found.kind === "unreachable") return { available: false, why: found.why };
  return {
    available: true,
    why: `all ${nodes.length} node(s) are Docker containers of the kind cluster "${found.cluster}" on this machine`,
  };
}

/**
 * Whether a LoadBalancer Service gets an address within `seconds`: creates one (no selector, so nothing is
 * exposed) in a labelled namespace of its own and removes it again. Costs up to `seconds`, so it runs only when a
 * selected scenario needs a LoadBalancer.
 */
export async function probeLoadBalancer(kube: Kube, runId: string, seconds = 30): Promise<Capability> {
  const namespace = await ScenarioNamespace.create(kube, runId, "probe", "loadbalancer-probe");
  try {
    await namespace.apply({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kubequake-lb-probe" },
      spec: { type: "LoadBalancer", ports: [{ port: 80, protocol: "TCP" }] },
    } as never);
    const { value, elapsedMs } = await eventually(
      "a LoadBalancer Service gets an address",
      async () => {
        const service = await kube.core.readNamespacedService({
          name: "kubequake-lb-probe",
          namespace: namespace.name,
        });
        const ingress = service.status?.loadBalancer?.ingress ?? [];
        const address = ingress.map((i) => i.ip ?? i.hostname ?? "").join(", ");
        return { satisfied: address !== "", value: address || "no address yet" };
      },
      { timeoutMs: seconds * 1000, intervalMs: 1000 },
    );
    return { available: true, why: `a LoadBalancer Service got ${value} in ${(elapsedMs / 1000).toFixed(1)} s` };
  } catch (error) {
    if (!(error instanceof EventuallyTimeoutError)) throw error;
    return {
      available: false,
      why: `a LoadBalancer Service got no address within ${seconds} s (no load-balancer controller such as MetalLB or a cloud provider answers)`,
    };
  } finally {
    await namespace.cleanup();
  }
}
