import { UserError } from "../errors/user-error.ts";

/*
 * The cluster variants kubequake builds: kube-proxy's mode and the cluster's IP families. Each variant is its own kind
 * cluster, named after it, so they can exist side by side ("kubequake" for the default iptables mode on IPv4,
 * "kubequake-nftables", "kubequake-dual", "kubequake-nftables-dual"). IPVS is not offered: this machine's kernel has
 * no IPVS.
 */

export const proxyModes = ["iptables", "nftables"] as const;
export type ProxyMode = (typeof proxyModes)[number];

/** The environment variable the `--proxy-mode` option sets, so the run's cucumber workers see the same variant. */
export const proxyModeVariable = "KUBEQUAKE_PROXY_MODE";

/** A proxy mode as written (option or environment); a UserError naming where it came from otherwise. */
export function parseProxyMode(value: string, where: string): ProxyMode {
  const mode = proxyModes.find((m) => m === value);
  if (mode) return mode;
  throw new UserError(
    `${where}: kube-proxy mode "${value}" is not one kubequake builds (expected ${proxyModes.join(" or ")})`,
    `give --proxy-mode ${proxyModes.join(" or --proxy-mode ")} (IPVS is not offered: this machine's kernel has no IPVS).`,
    { exitCode: 2 },
  );
}

/** The proxy mode of this process's variant: `KUBEQUAKE_PROXY_MODE`, iptables when unset. */
export function variantProxyMode(env: NodeJS.ProcessEnv = process.env): ProxyMode {
  const value = env[proxyModeVariable];
  return value === undefined || value === "" ? "iptables" : parseProxyMode(value, proxyModeVariable);
}

/** The kind cluster of a variant: "kubequake" for the default, "kubequake-<mode>", "kubequake[-<mode>]-dual". */
export function variantClusterName(mode: ProxyMode, family: IpFamily = "ipv4"): string {
  return ["kubequake", ...(mode === "iptables" ? [] : [mode]), ...(family === "ipv4" ? [] : [family])].join("-");
}

/** The variant a kind cluster is, from its name (see {@link variantClusterName}); undefined for any other cluster. */
export function variantOfCluster(cluster: string): { mode: ProxyMode; family: IpFamily } | undefined {
  for (const mode of proxyModes) {
    for (const family of ipFamilies) if (variantClusterName(mode, family) === cluster) return { mode, family };
  }
  return undefined;
}

/** The cluster's IP families, as kind's `networking.ipFamily` names them. */
export const ipFamilies = ["ipv4", "dual", "ipv6"] as const;
export type IpFamily = (typeof ipFamilies)[number];

/** The environment variable the `--ip-family` option sets. */
export const ipFamilyVariable = "KUBEQUAKE_IP_FAMILY";

/** An IP family as written (option or environment); a UserError naming where it came from otherwise. */
export function parseIpFamily(value: string, where: string): IpFamily {
  const family = ipFamilies.find((f) => f === value);
  if (family) return family;
  throw new UserError(
    `${where}: IP family "${value}" is not one kubequake builds (expected ${ipFamilies.join(", ")})`,
    "give --ip-family ipv4, --ip-family dual or --ip-family ipv6.",
    { exitCode: 2 },
  );
}

/** The IP families of this process's variant: `KUBEQUAKE_IP_FAMILY`, ipv4 when unset. */
export function variantIpFamily(env: NodeJS.ProcessEnv = process.env): IpFamily {
  const value = env[ipFamilyVariable];
  return value === undefined || value === "" ? "ipv4" : parseIpFamily(value, ipFamilyVariable);
}

/**
 * The Docker network a variant's nodes join. IPv4 clusters share "kind" (IPv4 only, as kubequake has always made it);
 * dual-stack and IPv6-only clusters share "kind-dual", which has an IPv6 subnet too, so adding IPv6 never changes the
 * IPv4 runs (its nodes have an IPv4 address too, which an IPv6-only cluster does not use).
 */
export function variantNetworkName(family: IpFamily): string {
  return family === "ipv4" ? "kind" : "kind-dual";
}

/** The Docker network a kind cluster of kubequake's is on, from its name (see {@link variantClusterName}). */
export function networkOfCluster(cluster: string): string {
  return variantNetworkName(variantOfCluster(cluster)?.family ?? "ipv4");
}

/**
 * Which share of its network's LoadBalancer range a variant's MetalLB pool takes: the clusters on one Docker network
 * share its subnets, so two of them announcing the same address would answer ARP (or NDP) for it from two places.
 */
export function variantPoolSlot(mode: ProxyMode, family: IpFamily = "ipv4"): number {
  return proxyModes.indexOf(mode) + (family === "ipv6" ? proxyModes.length : 0);
}
