import type { V1Service } from "@kubernetes/client-node";
import { watchedServices } from "../endpoints/watcher.ts";
import { UserError } from "../errors/user-error.ts";
import { nodeNameOnThisCluster } from "../nodes/names.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";
import {
  clusterIPOfFamily,
  describeClusterIPs,
  familyOf,
  type IpFamilyName,
  parseFamily,
  urlHost,
} from "../services/families.ts";

/**
 * The ClusterIP each Service had when the scenario deleted it, by Service name. Kept so a step can
 * probe the address a deleted Service leaves behind (Kubernetes' "should be able to up and down services" checks
 * that it stops answering); only the ClusterIP of a Service this scenario deleted itself, nothing else.
 */
const deletedClusterIPsSlot = defineSlot("ClusterIPs of deleted Services", () => new Map<string, string>());

/** Records the ClusterIP of a Service the scenario is deleting (called by the delete, with the object it read). */
export function recordDeletedService(scenario: ScenarioContext, service: V1Service | undefined): void {
  const name = service?.metadata?.name;
  const ip = service?.spec?.clusterIP;
  if (!name || !ip || ip === "None") return;
  scenario.slot(deletedClusterIPsSlot).set(name, ip);
}

/**
 * Replaces the placeholders of a URL by what they stand for right now, so a step can address a Service without a
 * DNS lookup, or a NodePort the API server allocated:
 * - `{nodeIP:<node>}`: the node's InternalIP;
 * - `{clusterIP:<service>}`: the Service's ClusterIP; for a Service this scenario deleted, the ClusterIP it had;
 *   `{clusterIP:<service>:IPv6}` (or `:IPv4`): its ClusterIP of that family on a dual-stack cluster;
 * - `{nodePort:<service>}`: the NodePort of the Service's only port; `{nodePort:<service>:<port name>}` for one of
 *   several ports (e.g. the "udp" one of a TCP+UDP Service);
 * - `{loadBalancerIP:<service>}`: the Service's (first) load-balancer address; `{loadBalancerIP:<service>:IPv6}` (or
 *   `:IPv4`): its address of that family, for a dual-stack Service that MetalLB gave one of each.
 * An IPv6 address comes in brackets ([fd00:10:96::a]), as a URL's host needs it.
 * A node or Service that does not exist, or a Service without that NodePort, is the user's mistake.
 */
export async function expandAddresses(scenario: ScenarioContext, url: string): Promise<string> {
  let expanded = url;
  for (const [placeholder, name] of url.matchAll(/\{nodeIP:([^}]+)\}/g)) {
    expanded = expanded.replace(placeholder, urlHost(await nodeIP(scenario, url, nodeNameOnThisCluster(name!))));
  }
  for (const [placeholder, name, family] of url.matchAll(/\{clusterIP:([^}:]+)(?::([^}]+))?\}/g)) {
    expanded = expanded.replace(
      placeholder,
      family === undefined
        ? urlHost(await clusterIP(scenario, url, name!))
        : await clusterIPOf(scenario, url, name!, parseFamily(family)),
    );
  }
  for (const [placeholder, name, port] of url.matchAll(/\{nodePort:([^}:]+)(?::([^}]+))?\}/g)) {
    expanded = expanded.replace(placeholder, String(await nodePort(scenario, url, name!, port)));
  }
  for (const [placeholder, name, family] of url.matchAll(/\{loadBalancerIP:([^}:]+)(?::([^}]+))?\}/g)) {
    const ip = await loadBalancerIP(scenario, url, name!, family === undefined ? undefined : parseFamily(family));
    expanded = expanded.replace(placeholder, urlHost(ip));
  }
  return expanded;
}

async function loadBalancerIP(
  scenario: ScenarioContext,
  url: string,
  name: string,
  family: IpFamilyName | undefined,
): Promise<string> {
  const service = await readService(scenario, name);
  const addresses = (service?.status?.loadBalancer?.ingress ?? []).flatMap((ingress) =>
    ingress.ip ? [ingress.ip] : [],
  );
  const ip = family === undefined ? addresses[0] : addresses.find((a) => familyOf(a) === family);
  if (ip) return ip;
  throw new UserError(
    `${url}: the scenario has no Service "${name}" with a${family ? `n ${family}` : ""} load-balancer address (${service ? `type ${service.spec?.type}, status.loadBalancer ${JSON.stringify(service.status?.loadBalancer ?? {})}` : "no such Service"})`,
    `wait for the address first (Then the Service "${name}" gets a load-balancer address within 10 seconds), or use a Service this scenario made (known: ${watchedServices(scenario).join(", ") || "none"}).`,
  );
}

async function nodeIP(scenario: ScenarioContext, url: string, name: string): Promise<string> {
  const node = await scenario.kube.core.readNode({ name }).catch(() => undefined);
  const ip = node?.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  if (ip) return ip;
  const nodes = await scenario.kube.core.listNode();
  throw new UserError(
    `${url}: no node "${name}" with an InternalIP in this cluster`,
    `use one of: ${nodes.items.map((n) => n.metadata?.name).join(", ")}.`,
  );
}

async function readService(scenario: ScenarioContext, name: string): Promise<V1Service | undefined> {
  return scenario.kube.core.readNamespacedService({ name, namespace: scenario.name }).catch(() => undefined);
}

async function clusterIP(scenario: ScenarioContext, url: string, name: string): Promise<string> {
  const live = (await readService(scenario, name))?.spec?.clusterIP;
  if (live && live !== "None") return live;
  const deleted = live === undefined ? scenario.peek(deletedClusterIPsSlot)?.get(name) : undefined;
  if (deleted) return deleted;
  throw new UserError(
    `${url}: the scenario has no Service "${name}" with a ClusterIP${live === "None" ? " (it is headless)" : ""}, and deleted none of that name`,
    `use the name of a Service this scenario made (known: ${watchedServices(scenario).join(", ") || "none"}).`,
  );
}

async function clusterIPOf(scenario: ScenarioContext, url: string, name: string, family: IpFamilyName) {
  const service = await readService(scenario, name);
  const clusterIPs = service?.spec?.clusterIPs ?? [];
  const host = clusterIPOfFamily(clusterIPs, family);
  if (host) return host;
  throw new UserError(
    `${url}: the Service "${name}" has no ${family} ClusterIP (${service ? `its ClusterIPs: ${describeClusterIPs(clusterIPs)}, ipFamilyPolicy ${service.spec?.ipFamilyPolicy ?? "unset"}` : "no such Service in this scenario"})`,
    service
      ? `give it both families first (When the Service "${name}" changes its IP family policy to PreferDualStack), on a dual-stack cluster (@needs:ipv6).`
      : `use the name of a Service this scenario made (known: ${watchedServices(scenario).join(", ") || "none"}).`,
  );
}

async function nodePort(
  scenario: ScenarioContext,
  url: string,
  name: string,
  portName: string | undefined,
): Promise<number> {
  const service = await readService(scenario, name);
  if (!service) {
    throw new UserError(
      `${url}: the scenario has no Service "${name}"`,
      `use the name of a Service this scenario made (known: ${watchedServices(scenario).join(", ") || "none"}).`,
    );
  }
  const ports = service.spec?.ports ?? [];
  const named = ports.map((p) => `"${p.name ?? ""}" (${p.protocol ?? "TCP"} ${p.port})`).join(", ");
  if (portName === undefined && ports.length !== 1) {
    throw new UserError(
      `${url}: the Service "${name}" has ${ports.length} ports (${named}), so {nodePort:${name}} does not say which`,
      `name the port, e.g. {nodePort:${name}:${ports[0]?.name ?? "http"}}.`,
    );
  }
  const port = portName === undefined ? ports[0] : ports.find((p) => p.name === portName);
  if (!port) {
    throw new UserError(`${url}: the Service "${name}" has no port named "${portName}"`, `its ports are: ${named}.`);
  }
  if (!port.nodePort) {
    throw new UserError(
      `${url}: the port ${port.port}/${port.protocol ?? "TCP"} of the Service "${name}" has no NodePort (type ${service.spec?.type ?? "ClusterIP"})`,
      `make it a NodePort or LoadBalancer Service first, e.g. When the Service "${name}" changes to type NodePort.`,
    );
  }
  return port.nodePort;
}
