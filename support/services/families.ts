import type { V1Endpoints } from "@kubernetes/client-node";
import { readEndpoints } from "../endpoints/slices.ts";
import { UserError } from "../errors/user-error.ts";
import { eventually } from "../wait/eventually.ts";
import type { Service } from "./service.ts";

/*
 * A Service's IP families on a dual-stack cluster: which ClusterIPs it has (spec.clusterIPs, one per family, the
 * primary first) and its spec.ipFamilyPolicy. Kubernetes lets a Service go from SingleStack to PreferDualStack or
 * RequireDualStack (the API server allocates the other family's ClusterIP, keeping the first) and back (it releases
 * the secondary one): what a team turning on dual-stack does to its Services.
 */

export const ipFamilyPolicies = ["SingleStack", "PreferDualStack", "RequireDualStack"] as const;
export type IpFamilyPolicy = (typeof ipFamilyPolicies)[number];
export type IpFamilyName = "IPv4" | "IPv6";

/** "IPv6" for an address with a colon, "IPv4" otherwise. */
export function familyOf(ip: string): IpFamilyName {
  return ip.includes(":") ? "IPv6" : "IPv4";
}

/** A family as a step writes it ("IPv4", "IPv6"); a UserError saying the two otherwise. */
export function parseFamily(text: string): IpFamilyName {
  if (text === "IPv4" || text === "IPv6") return text;
  throw new UserError(
    `"${text}" is not an IP family`,
    "write IPv4 or IPv6 (as Kubernetes spells them in spec.ipFamilies).",
  );
}

/** "IPv4, IPv6" → ["IPv4", "IPv6"] (the order matters: the first is the Service's primary family). */
export function parseFamilies(text: string): IpFamilyName[] {
  const families = text.split(",").map((part) => parseFamily(part.trim()));
  if (new Set(families).size !== families.length)
    throw new UserError(
      `"${text}" names a family twice`,
      'a Service has at most one ClusterIP per family: "IPv4, IPv6".',
    );
  return families;
}

function parsePolicy(text: string): IpFamilyPolicy {
  const policy = ipFamilyPolicies.find((p) => p === text);
  if (policy) return policy;
  throw new UserError(`"${text}" is not an IP family policy`, `use one of ${ipFamilyPolicies.join(", ")}.`);
}

/** The Service's ClusterIPs with their families, primary first ("10.96.4.1 (IPv4), fd00:10:96::5b (IPv6)"). */
export function describeClusterIPs(clusterIPs: readonly string[]): string {
  return clusterIPs.length === 0 ? "none" : clusterIPs.map((ip) => `${ip} (${familyOf(ip)})`).join(", ");
}

/**
 * Sets spec.ipFamilyPolicy. Going to SingleStack also trims spec.ipFamilies to the primary family, as the API server
 * requires (it refuses a single-stack Service with two families); the secondary ClusterIP is released.
 */
export async function changeIpFamilyPolicy(handle: Service, policyText: string): Promise<void> {
  const policy = parsePolicy(policyText);
  const { scenario, name } = handle;
  const before = await scenario.kube.core.readNamespacedService({ name, namespace: scenario.name });
  const families = before.spec?.ipFamilies ?? [];
  const patch: { op: string; path: string; value: unknown }[] = [
    { op: "replace", path: "/spec/ipFamilyPolicy", value: policy },
  ];
  if (policy === "SingleStack" && families.length > 1) {
    patch.push({ op: "replace", path: "/spec/ipFamilies", value: families.slice(0, 1) });
    patch.push({ op: "replace", path: "/spec/clusterIPs", value: (before.spec?.clusterIPs ?? []).slice(0, 1) });
  }
  await scenario.kube.core.patchNamespacedService({ name, namespace: scenario.name, body: patch });
  scenario.recordAction(
    "patched",
    `Service ${name}: ipFamilyPolicy ${before.spec?.ipFamilyPolicy ?? "unset"} → ${policy} (ClusterIPs were ${describeClusterIPs(before.spec?.clusterIPs ?? [])})`,
    [],
    name,
  );
}

/** Waits until the Service's ClusterIPs are one of each family in `familiesText`, in that order. */
export async function expectClusterIPFamilies(handle: Service, familiesText: string, seconds: number): Promise<void> {
  const wanted = parseFamilies(familiesText);
  const { scenario, name } = handle;
  await eventually(
    `the Service ${name} has ClusterIPs of the families ${wanted.join(", ")}, in that order`,
    async () => {
      const service = await scenario.kube.core.readNamespacedService({ name, namespace: scenario.name });
      const clusterIPs = service.spec?.clusterIPs ?? [];
      const families = clusterIPs.map(familyOf);
      return {
        satisfied: families.join() === wanted.join() && (service.spec?.ipFamilies ?? []).join() === wanted.join(),
        value: `ClusterIPs ${describeClusterIPs(clusterIPs)}; spec.ipFamilies ${JSON.stringify(service.spec?.ipFamilies ?? [])}, ipFamilyPolicy ${service.spec?.ipFamilyPolicy ?? "unset"}`,
      };
    },
    { timeoutMs: seconds * 1000, intervalMs: 250 },
  );
}

/**
 * What the v1 Endpoints object lists against "`count` ready addresses, all of `family`": undefined when it holds, else
 * the difference. The Endpoints controller writes one family only, the Service's primary one (EndpointSlices carry
 * each family in its own slices), so a dual-stack Service's secondary family is never there.
 */
export function endpointsFamilyProblem(
  endpoints: V1Endpoints | undefined,
  count: number,
  family: IpFamilyName,
): string | undefined {
  if (!endpoints) return "there is no Endpoints object";
  const subsets = endpoints.subsets ?? [];
  const ready = subsets.flatMap((subset) => (subset.addresses ?? []).map((a) => a.ip));
  // "All" means every address listed: a not-ready one of another family would break the rule as much.
  const notReady = subsets.flatMap((subset) => (subset.notReadyAddresses ?? []).map((a) => a.ip));
  const others = [...ready, ...notReady].filter((ip) => familyOf(ip) !== family);
  if (ready.length === count && others.length === 0) return undefined;
  const listed = ready.length === 0 ? "none" : ready.map((ip) => `${ip} (${familyOf(ip)})`).join(", ");
  const unready = notReady.length === 0 ? "" : ` (and ${notReady.length} not ready: ${notReady.join(", ")})`;
  return `${ready.length} ready address(es): ${listed}${unready}${others.length > 0 ? `; ${others.length} not ${family}` : ""}`;
}

/** Waits until the Service's v1 Endpoints list exactly `count` ready addresses, every one of `family`. */
export async function expectEndpointsOfFamily(
  handle: Service,
  options: { count: number; familyText: string; seconds: number },
): Promise<void> {
  const family = parseFamily(options.familyText);
  const { scenario, name } = handle;
  await eventually(
    `the Endpoints of Service ${name} list ${options.count} ready address(es), all ${family}`,
    async () => {
      const problem = endpointsFamilyProblem(await readEndpoints(scenario, name), options.count, family);
      return { satisfied: problem === undefined, value: problem ?? `${options.count} ready, all ${family}` };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 250 },
  );
}

/** The Service's ClusterIP of `family`, as a URL host (an IPv6 address in brackets); undefined when it has none. */
export function clusterIPOfFamily(clusterIPs: readonly string[], family: IpFamilyName): string | undefined {
  const ip = clusterIPs.find((candidate) => familyOf(candidate) === family);
  return ip === undefined ? undefined : urlHost(ip);
}

/** An address as the host of a URL: IPv6 in brackets (http://[fd00:10:96::5b]:80/). */
export function urlHost(ip: string): string {
  return ip.includes(":") ? `[${ip}]` : ip;
}
