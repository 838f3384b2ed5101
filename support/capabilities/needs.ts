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
  /** The Service IP ranges (ServiceCIDRs), e.g. ["10.96.0.0/16", "fd00:10:96::/112"] on a dual-stack cluster. */
  readonly serviceCIDRs: readonly string[];
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

/**
 * One requirement a scenario may state with a `@needs:` tag: the tag as written in help and messages, the pattern of
 * the tags it accepts, and why the cluster cannot host it (undefined when it can).
 */
interface Need {
  readonly tag: string;
  readonly pattern: RegExp;
  readonly missing: (tag: string, capabilities: Capabilities) => string | undefined;
}

/**
 * Every `@needs:` tag kubequake understands, the one list: the Before hook's skips and its message for an unknown tag,
 * lint, and `kubequake run --help` are derived from it.
 */
export const knownNeeds: readonly Need[] = [
  {
    tag: "@needs:nodes>=N",
    pattern: /^@needs:nodes>=(\d+)$/,
    missing: (tag, capabilities) => {
      const wanted = Number(/(\d+)$/.exec(tag)?.[1]);
      return capabilities.nodes.ready < wanted
        ? `needs ${wanted} Ready nodes, the cluster (context "${capabilities.context}") has ${capabilities.nodes.ready}`
        : undefined;
    },
  },
  {
    tag: "@needs:loadbalancer",
    pattern: /^@needs:loadbalancer$/,
    missing: (_, { loadBalancer }) =>
      loadBalancer?.available ? undefined : (loadBalancer?.why ?? "LoadBalancer support was not probed"),
  },
  {
    tag: "@needs:node-chaos",
    pattern: /^@needs:node-chaos$/,
    missing: (_, { nodeChaos }) => (nodeChaos.available ? undefined : nodeChaos.why),
  },
  {
    tag: "@needs:proxy-mode=MODE",
    pattern: /^@needs:proxy-mode=([a-z]+)$/,
    // A behaviour that belongs to one of kube-proxy's modes (or is known to differ in it), not to Services as such.
    missing: (tag, { kubeProxy, context }) => {
      const wanted = /=([a-z]+)$/.exec(tag)?.[1];
      return kubeProxy === wanted
        ? undefined
        : `needs kube-proxy in ${wanted} mode, the cluster (context "${context}") runs ${kubeProxy} (kubequake's own cluster in that mode: --proxy-mode ${wanted})`;
    },
  },
  {
    tag: "@needs:ipv6",
    pattern: /^@needs:ipv6$/,
    // IPv6 ClusterIPs (a dual-stack cluster): the Service CIDRs are the API server's own word for it.
    missing: (_, { serviceCIDRs, context }) =>
      serviceCIDRs.some((cidr) => cidr.includes(":"))
        ? undefined
        : `needs IPv6 Services, the cluster (context "${context}") has the Service range(s) ${serviceCIDRs.join(", ") || "(none listed)"} (kubequake's own dual-stack cluster: --ip-family dual)`,
  },
  {
    tag: "@needs:ipv4",
    pattern: /^@needs:ipv4$/,
    // IPv4 ClusterIPs: every cluster but an IPv6-only one.
    missing: (_, { serviceCIDRs, context }) =>
      serviceCIDRs.length === 0 || serviceCIDRs.some((cidr) => cidr.includes("."))
        ? undefined
        : `needs IPv4 Services, the cluster (context "${context}") has the Service range(s) ${serviceCIDRs.join(", ")} only (IPv6 only)`,
  },
  {
    tag: "@needs:outside-clients",
    pattern: /^@needs:outside-clients$/,
    // Outside clients and services are containers on the nodes' Docker network, so the nodes must be local ones.
    missing: (_, { nodesReachable }) =>
      nodesReachable.available
        ? undefined
        : `outside clients join the nodes' Docker network, but ${nodesReachable.why}`,
  },
];

/** The known `@needs:` tags for a sentence: "@needs:nodes>=N, @needs:loadbalancer, … or @needs:outside-clients". */
export function describeKnownNeeds(): string {
  const tags = knownNeeds.map((need) => need.tag);
  return `${tags.slice(0, -1).join(", ")} or ${tags.at(-1)}`;
}

/** A `@needs:` tag kubequake does not know, with what it knows (a typo must not silently run or skip). */
export function unknownNeeds(tags: readonly string[]): string[] {
  return tags.filter((t) => t.startsWith("@needs:") && !knownNeeds.some((need) => need.pattern.test(t)));
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
    const why = knownNeeds.find((need) => need.pattern.test(tag))?.missing(tag, capabilities);
    if (why) missing.push(`${tag}: ${why}`);
  }
  return missing.length > 0 ? `skipped: ${missing.join("; ")}` : undefined;
}

/** One line for the start of a run. */
export function describeCapabilities(c: Capabilities): string {
  return [
    `Kubernetes ${c.kubernetesVersion}`,
    `${c.nodes.ready}/${c.nodes.total} nodes Ready (${c.nodes.schedulable} schedulable${c.zones.length > 0 ? `, zones ${c.zones.join(", ")}` : ""})`,
    `kube-proxy ${c.kubeProxy}`,
    ...(c.serviceCIDRs.some((cidr) => cidr.includes(":")) ? [`Services ${c.serviceCIDRs.join(" + ")}`] : []),
    `CNI ${c.cni}`,
    ...(c.loadBalancer ? [`LoadBalancer ${c.loadBalancer.available ? "yes" : "no"}`] : []),
    `node chaos ${c.nodeChaos.available ? "yes" : `no (${c.nodeChaos.why})`}`,
  ].join(", ");
}
