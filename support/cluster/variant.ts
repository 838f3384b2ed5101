import { UserError } from "../errors/user-error.ts";

/*
 * The cluster variants kubequake builds: kube-proxy's mode. Each variant is its own kind cluster, named after it, so
 * they can exist side by side ("kubequake" for the default iptables mode, "kubequake-nftables" for nftables). IPVS is
 * not offered: this machine's kernel has no IPVS.
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

/** The kind cluster of a variant: "kubequake" for the default, "kubequake-<mode>" for another mode. */
export function variantClusterName(mode: ProxyMode): string {
  return mode === "iptables" ? "kubequake" : `kubequake-${mode}`;
}

/**
 * Which share of the kind network's LoadBalancer range a variant's MetalLB pool takes: the clusters share the one
 * Docker network, so two of them announcing the same address would answer ARP for it from two places.
 */
export function variantPoolSlot(mode: ProxyMode): number {
  return proxyModes.indexOf(mode);
}
