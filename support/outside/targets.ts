import { UserError } from "../errors/user-error.ts";
import type { ScenarioContext } from "../scenario/context.ts";

/** Where outside traffic goes, as a step names it (the {outsideTarget} parameter type). */
export type OutsideTarget =
  | { readonly kind: "nodePort"; readonly service: string; readonly node?: string }
  | { readonly kind: "loadBalancer"; readonly service: string }
  | { readonly kind: "url"; readonly url: string };

/** One address to send to: which node (if any) it is on, and the URL. */
export interface ResolvedTarget {
  readonly label: string;
  readonly node?: string;
  readonly url: string;
}

/** Regexp of the {outsideTarget} parameter type; the groups feed {@link parseOutsideTarget}. */
export const outsideTargetPattern =
  /the NodePort of "([^"]*)" on (?:every node|node "([^"]*)")|the load-balancer address of "([^"]*)"|the URL "([^"]*)"/;

export function parseOutsideTarget(
  nodePortService: string | undefined,
  node: string | undefined,
  lbService: string | undefined,
  url: string | undefined,
): OutsideTarget {
  if (nodePortService !== undefined) return { kind: "nodePort", service: nodePortService, node };
  if (lbService !== undefined) return { kind: "loadBalancer", service: lbService };
  return { kind: "url", url: url ?? "" };
}

export function describeOutsideTarget(target: OutsideTarget): string {
  if (target.kind === "nodePort")
    return `the NodePort of "${target.service}" on ${target.node ? `node "${target.node}"` : "every node"}`;
  if (target.kind === "loadBalancer") return `the load-balancer address of "${target.service}"`;
  return target.url;
}

/** Every node's name and InternalIP, in name order. */
export async function clusterNodes(scenario: ScenarioContext): Promise<{ name: string; ip: string }[]> {
  const nodes = await scenario.kube.core.listNode();
  return nodes.items
    .map((n) => ({
      name: n.metadata?.name ?? "",
      ip: n.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? "",
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The URLs a target stands for right now (a NodePort on every node is one URL per node). */
export async function resolveOutsideTarget(
  scenario: ScenarioContext,
  target: OutsideTarget,
): Promise<ResolvedTarget[]> {
  if (target.kind === "url") return [{ label: target.url, url: target.url }];
  const service = await scenario.kube.core
    .readNamespacedService({ name: target.service, namespace: scenario.name })
    .catch(() => undefined);
  if (!service) {
    throw new UserError(
      `there is no Service "${target.service}" in this scenario's namespace ${scenario.name}`,
      `create it first, e.g. Given the demo backend runs 2 replicas behind the NodePort Service "${target.service}".`,
    );
  }
  const port = service.spec?.ports?.[0];
  if (target.kind === "loadBalancer") {
    const ingress = service.status?.loadBalancer?.ingress?.[0];
    const address = ingress?.ip ?? ingress?.hostname;
    if (!address) {
      throw new Error(
        `the Service "${target.service}" has no load-balancer address yet (type ${service.spec?.type}, status.loadBalancer: ${JSON.stringify(service.status?.loadBalancer ?? {})})`,
      );
    }
    return [{ label: `${address}:${port?.port}`, url: `http://${address}:${port?.port}/` }];
  }
  if (!port?.nodePort) {
    throw new UserError(
      `the Service "${target.service}" has no NodePort (type ${service.spec?.type})`,
      `make it a NodePort or LoadBalancer Service, e.g. Given the demo backend runs 2 replicas behind the NodePort Service "${target.service}".`,
    );
  }
  const nodes = await clusterNodes(scenario);
  const chosen = target.node ? nodes.filter((n) => n.name === target.node) : nodes;
  if (chosen.length === 0) {
    throw new UserError(
      `there is no node "${target.node}" in the cluster`,
      `use one of: ${nodes.map((n) => n.name).join(", ")}.`,
    );
  }
  return chosen.map((n) => ({
    label: `${n.name} ${n.ip}:${port.nodePort}`,
    node: n.name,
    url: `http://${n.ip}:${port.nodePort}/`,
  }));
}
