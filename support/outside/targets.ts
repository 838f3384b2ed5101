import { UserError } from "../errors/user-error.ts";
import { nodeNameOnThisCluster } from "../nodes/names.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { urlHost } from "../services/families.ts";
import { type Remembered, recalled } from "./remembered.ts";

/** Where outside traffic goes, as a step names it (the {outsideTarget} parameter type). */
export type OutsideTarget =
  | { readonly kind: "nodePort"; readonly service: string; readonly node?: string; readonly previous?: true }
  | { readonly kind: "loadBalancer"; readonly service: string; readonly previous?: true }
  | { readonly kind: "url"; readonly url: string };

/** One address to send to: which node (if any) it is on, and the URL. */
export interface ResolvedTarget {
  readonly label: string;
  readonly node?: string;
  readonly url: string;
}

/** Regexp of the {outsideTarget} parameter type; the groups feed {@link parseOutsideTarget}. */
export const outsideTargetPattern =
  /the (previous )?NodePort of "([^"]*)" on (?:every node|node "([^"]*)")|the (previous )?load-balancer address of "([^"]*)"|the URL "([^"]*)"/;

export function parseOutsideTarget(
  previousNodePort: string | undefined,
  nodePortService: string | undefined,
  node: string | undefined,
  previousAddress: string | undefined,
  lbService: string | undefined,
  url: string | undefined,
): OutsideTarget {
  if (nodePortService !== undefined)
    return {
      kind: "nodePort",
      service: nodePortService,
      node: node === undefined ? undefined : nodeNameOnThisCluster(node),
      ...(previousNodePort ? { previous: true } : {}),
    };
  if (lbService !== undefined)
    return { kind: "loadBalancer", service: lbService, ...(previousAddress ? { previous: true } : {}) };
  return { kind: "url", url: url ?? "" };
}

export function describeOutsideTarget(target: OutsideTarget): string {
  const previous = target.kind !== "url" && target.previous ? "previous " : "";
  if (target.kind === "nodePort")
    return `the ${previous}NodePort of "${target.service}" on ${target.node ? `node "${target.node}"` : "every node"}`;
  if (target.kind === "loadBalancer") return `the ${previous}load-balancer address of "${target.service}"`;
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
    const current = ingress?.ip ?? ingress?.hostname;
    const address = target.previous ? previousOf(scenario, target, "address", current) : current;
    if (!address) {
      throw new Error(
        `the Service "${target.service}" has no load-balancer address yet (type ${service.spec?.type}, status.loadBalancer: ${JSON.stringify(service.status?.loadBalancer ?? {})})`,
      );
    }
    return [{ label: `${urlHost(address)}:${port?.port}`, url: `http://${urlHost(address)}:${port?.port}/` }];
  }
  const nodePort = target.previous ? previousOf(scenario, target, "nodePort", port?.nodePort) : port?.nodePort;
  if (!nodePort) {
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
    label: `${n.name} ${urlHost(n.ip)}:${nodePort}`,
    node: n.name,
    url: `http://${urlHost(n.ip)}:${nodePort}/`,
  }));
}

/**
 * "The previous NodePort / load-balancer address": what the Service had when a step last looked at it (a type change,
 * a check of its fields or of its address), now that it has another one or none, e.g. to check that a NodePort that
 * was moved, or an address that was released, no longer answers. Having none to compare is the user's mistake.
 */
function previousOf<K extends "nodePort" | "address">(
  scenario: ScenarioContext,
  target: { service: string },
  field: K,
  current: Remembered[K] | undefined,
): NonNullable<Remembered[K]> {
  const what = field === "nodePort" ? "NodePort" : "load-balancer address";
  const earlier = recalled(scenario, target.service)[field];
  if (earlier === undefined) {
    throw new UserError(
      `no step of this scenario has seen a ${what} of the Service "${target.service}" yet, so it has no previous one`,
      field === "nodePort"
        ? `check its fields first, e.g. Then within 10 seconds the Service "${target.service}" has the fields of a NodePort Service.`
        : `check its address first, e.g. Then the Service "${target.service}" gets a load-balancer address within 10 seconds.`,
    );
  }
  if (earlier === current) {
    throw new UserError(
      `the Service "${target.service}" still has the ${what} ${earlier} a step saw, so it has no previous one`,
      `change it first (a patch, a type change), then address the previous ${what}.`,
    );
  }
  return earlier as NonNullable<Remembered[K]>;
}
