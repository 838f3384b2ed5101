/**
 * What a cluster offers, as far as scenarios care: found once per run by {@link discoverCapabilities} (discover.ts)
 * and compared with each scenario's `@needs:…` tags, so a scenario the cluster cannot host is reported
 * "skipped: why" instead of failing (or, worse, passing without testing anything).
 */
/** The attachment that says why a scenario was skipped (read back by the reports, which print the reason). */
export const skipAttachment = "skipped.txt";

export interface Capabilities {
  /** The kubeconfig context. */
  readonly context: string;
  /** kubequake's own kind cluster (built and run by `cluster up`). */
  readonly ownCluster: boolean;
  readonly kubernetesVersion: string;
  readonly nodeNames: readonly string[];
  readonly nodes: { readonly total: number; readonly ready: number; readonly schedulable: number };
  /** Distinct topology.kubernetes.io/zone labels of the nodes (empty when unlabelled). */
  readonly zones: readonly string[];
  /** "iptables", "nftables", "ipvs", or what replaces kube-proxy ("none: cilium"). */
  readonly kubeProxy: string;
  /** The CNI, as far as kube-system's DaemonSets tell ("flannel", "calico", …, or "unknown"). */
  readonly cni: string;
  /** Whether a LoadBalancer Service gets an address; absent until a scenario needs it (probing costs seconds). */
  readonly loadBalancer?: Capability;
  /** Whether the nodes are Docker containers on this machine (kind's), so images can be loaded and faults reach them. */
  readonly nodesReachable: Capability;
  /** Whether node faults can run: the nodes are reachable and the context allows chaos. */
  readonly nodeChaos: Capability;
}

export interface Capability {
  readonly available: boolean;
  /** Why (not): shown with a skipped scenario. */
  readonly why: string;
}

/** A `@needs:` tag kubequake does not know, with what it knows (a typo must not silently run or skip). */
export function unknownNeeds(tags: readonly string[]): string[] {
  return tags.filter(
    (t) => t.startsWith("@needs:") && !/^@needs:(nodes>=\d+|loadbalancer|node-chaos|outside-clients)$/.test(t),
  );
}

/** Whether the scenario with `tags` needs a LoadBalancer probe before {@link missingNeeds} can answer. */
export function needsLoadBalancer(tags: readonly string[]): boolean {
  return tags.includes("@needs:loadbalancer");
}

/**
 * Why the cluster cannot host a scenario with these tags ("needs 3 Ready nodes, the cluster has 1"), or undefined
 * when it can. Every unmet need is listed.
 */
export function missingNeeds(tags: readonly string[], capabilities: Capabilities): string | undefined {
  const missing: string[] = [];
  for (const tag of tags) {
    const nodes = /^@needs:nodes>=(\d+)$/.exec(tag);
    if (nodes) {
      const wanted = Number(nodes[1]);
      if (capabilities.nodes.ready < wanted)
        missing.push(
          `${tag}: needs ${wanted} Ready nodes, the cluster (context "${capabilities.context}") has ${capabilities.nodes.ready}`,
        );
    } else if (tag === "@needs:loadbalancer") {
      const lb = capabilities.loadBalancer;
      if (!lb?.available) missing.push(`${tag}: ${lb?.why ?? "LoadBalancer support was not probed"}`);
    } else if (tag === "@needs:node-chaos") {
      if (!capabilities.nodeChaos.available) missing.push(`${tag}: ${capabilities.nodeChaos.why}`);
    } else if (tag === "@needs:outside-clients") {
      // Outside clients and services are containers on the nodes' Docker network, so the nodes must be local ones.
      if (!capabilities.nodesReachable.available)
        missing.push(`${tag}: outside clients join the nodes' Docker network, but ${capabilities.nodesReachable.why}`);
    }
  }
  return missing.length > 0 ? `skipped: ${missing.join("; ")}` : undefined;
}

/** One line for the start of a run. */
export function describeCapabilities(c: Capabilities): string {
  return [
    `Kubernetes ${c.kubernetesVersion}`,
    `${c.nodes.ready}/${c.nodes.total} nodes Ready (${c.nodes.schedulable} schedulable${c.zones.length > 0 ? `, zones ${c.zones.join(", ")}` : ""})`,
    `kube-proxy ${c.kubeProxy}`,
    `CNI ${c.cni}`,
    ...(c.loadBalancer ? [`LoadBalancer ${c.loadBalancer.available ? "yes" : "no"}`] : []),
    `node chaos ${c.nodeChaos.available ? "yes" : `no (${c.nodeChaos.why})`}`,
  ].join(", ");
}
