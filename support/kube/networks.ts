import { parse } from "yaml";
import { UserError } from "../errors/user-error.ts";
import type { Kube } from "./client.ts";
import { nodeInternalIPs } from "./nodes.ts";

/**
 * The only destinations kubequake's clients may connect to (demo image's ALLOWED_NETWORKS): the cluster's pod and
 * Service subnets, each node's own address and the load-balancer pool (MetalLB's, when installed: pods may call a
 * load-balancer address as Kubernetes' e2e tests do). Read from kubeadm's ClusterConfiguration, as kind uses kubeadm;
 * KUBEQUAKE_ALLOWED_NETWORKS overrides it for clusters that kubeadm did not make.
 */
export async function clusterNetworks(kube: Kube): Promise<string> {
  const override = process.env.KUBEQUAKE_ALLOWED_NETWORKS;
  if (override) return override;
  const config = await kube.core
    .readNamespacedConfigMap({ name: "kubeadm-config", namespace: "kube-system" })
    .catch(() => undefined);
  const networking = (parse(config?.data?.ClusterConfiguration ?? "") as { networking?: Record<string, string> } | null)
    ?.networking;
  if (!networking?.podSubnet || !networking.serviceSubnet) {
    throw new UserError(
      "cannot tell this cluster's pod and Service subnets (no kube-system/kubeadm-config ClusterConfiguration), so kubequake's clients would not know where they may connect.",
      "set KUBEQUAKE_ALLOWED_NETWORKS to the cluster's CIDRs, e.g. 10.244.0.0/16,10.96.0.0/16,172.18.0.2/32.",
    );
  }
  // A dual-stack node has an InternalIP of each family.
  const nodeIPs = (await nodeInternalIPs(kube)).map((ip) => (ip.includes(":") ? `${ip}/128` : `${ip}/32`));
  const pool = await loadBalancerPools(kube);
  return [networking.podSubnet, networking.serviceSubnet, ...nodeIPs, ...pool.flatMap(poolCidrs)].join(",");
}

/**
 * The address entries of every MetalLB IPAddressPool on the cluster (none when MetalLB is not installed), read from
 * the API like the subnets above: this layer knows the cluster only through the API, not through the cluster build
 * (cluster/metallb.ts) that installs the pool.
 */
async function loadBalancerPools(kube: Kube): Promise<string[]> {
  const pools = (await kube.custom
    .listClusterCustomObject({ group: "metallb.io", version: "v1beta1", plural: "ipaddresspools" })
    .catch(() => undefined)) as { items?: { spec?: { addresses?: string[] } }[] } | undefined;
  return pools?.items?.flatMap((pool) => pool.spec?.addresses ?? []) ?? [];
}

/**
 * An IPAddressPool entry as CIDRs: a CIDR stays as it is, a range "first-last" (IPv4, or IPv6 for an IPv6-only
 * cluster's pool) becomes the fewest CIDRs that cover exactly it (172.18.255.200-172.18.255.250 → 172.18.255.200/29,
 * …, 172.18.255.250/32); anything else is left out, so nothing outside the pool is ever allowed.
 */
export function poolCidrs(entry: string): string[] {
  const text = entry.trim();
  if (text.includes("/")) return [text];
  const [firstText = "", lastText = ""] = text.split("-").map((ip) => ip.trim());
  const v6 = firstText.includes(":");
  if (v6 !== lastText.includes(":")) return [];
  // ipToBigInt sets bit 128 on IPv6 addresses (so the families never compare equal): take it off to count.
  const offset = v6 ? 1n << 128n : 0n;
  const first = ipToBigInt(firstText);
  const last = ipToBigInt(lastText);
  if (first === undefined || last === undefined || last < first) return [];
  const width = v6 ? 128 : 32;
  const end = last - offset;
  const cidrs: string[] = [];
  for (let start = first - offset; start <= end; ) {
    let size = 1n;
    // Grow the block while it stays aligned on `start` and inside the range.
    while (start % (size * 2n) === 0n && start + size * 2n - 1n <= end) size *= 2n;
    cidrs.push(`${formatAddress(start, v6)}/${width - (size.toString(2).length - 1)}`);
    start += size;
  }
  return cidrs;
}

/** An address from its number: dotted IPv4, or IPv6 as eight hexadecimal groups (uncompressed, still valid). */
function formatAddress(value: bigint, v6: boolean): string {
  const [parts, bits, radix] = v6 ? [8, 16n, 16] : [4, 8n, 10];
  const mask = (1n << bits) - 1n;
  return Array.from({ length: parts }, (_, i) =>
    ((value >> (bits * BigInt(parts - 1 - i))) & mask).toString(radix),
  ).join(v6 ? ":" : ".");
}

/** A dotted IPv4 address as a 32-bit number; undefined for anything that is not one. */
export function ipv4ToNumber(address: string): number | undefined {
  const parts = address.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

/** An IPv4 or IPv6 address as a number (IPv6 above 2^32 never collides with IPv4); undefined when it is neither. */
export function ipToBigInt(ip: string): bigint | undefined {
  if (!ip.includes(":")) {
    const v4 = ipv4ToNumber(ip);
    return v4 === undefined ? undefined : BigInt(v4);
  }
  const halves = ip.split("::");
  if (halves.length > 2) return undefined;
  const [head = "", tail = ""] = halves;
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...left, ...Array<string>(missing).fill("0"), ...right];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  // Offset by 2^128 so that no IPv6 address equals an IPv4 one.
  return groups.reduce((sum, g) => (sum << 16n) + BigInt(`0x${g}`), 1n);
}

/** Whether an address lies in a CIDR of its own family (IPv4 or IPv6); false across families or for nonsense. */
export function ipInCidr(ip: string, cidr: string): boolean {
  const [base = "", bits = ""] = cidr.split("/");
  const v6 = base.includes(":");
  if (v6 !== ip.includes(":")) return false;
  const width = v6 ? 128 : 32;
  const prefix = Number(bits === "" ? width : bits);
  const address = ipToBigInt(ip);
  const network = ipToBigInt(base);
  if (address === undefined || network === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > width)
    return false;
  const shift = BigInt(width - prefix);
  const mask = (1n << BigInt(width)) - 1n;
  return (address & mask) >> shift === (network & mask) >> shift;
}
