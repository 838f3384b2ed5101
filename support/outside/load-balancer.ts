import type { V1Service } from "@kubernetes/client-node";
import { outsideClient } from "../clients/registry.ts";
import { metallbNamespace, poolName } from "../cluster/metallb.ts";
import { UserError } from "../errors/user-error.ts";
import { ipInCidr, ipToBigInt } from "../kube/networks.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";
import { rememberValue } from "../scenario/remembered-values.ts";
import type { Backend } from "../services/backend.ts";
import { createService, deployBackend } from "../services/backends.ts";
import { urlHost } from "../services/families.ts";
import { waitUntilInService } from "../services/in-service.ts";
import { type Service, watchService } from "../services/service.ts";
import { eventually } from "../wait/eventually.ts";
import { outsideNetwork } from "./containers.ts";
import { healthStatus } from "./expectations.ts";
import { type Remembered, recalled, rememberedOf, rememberFrom } from "./remembered.ts";
import { clusterNodes } from "./targets.ts";
import { eventuallyTimed } from "./timing.ts";

/**
 * LoadBalancer Services from the outside: when an address is assigned (and how long it took), which fields each
 * Service type carries, and loadBalancerSourceRanges. Traffic itself goes through the outside-world senders
 * (support/outside/send.ts, "the load-balancer address of …").
 */

/** The Service types a Service can move between here (ExternalName has its own feature). */
export const movableTypes = ["ClusterIP", "NodePort", "LoadBalancer"] as const;
export type MovableType = (typeof movableTypes)[number];

/** An address assignment being watched: from the moment the API accepted the change that asked for one. */
interface Assignment {
  readonly requestedAt: number;
  readonly what: string;
  readonly result: Promise<{ address: string; ms: number } | { error: unknown }>;
}

/** The address assignments the scenario is watching, by Service name. */
const assignmentsSlot = defineSlot("load-balancer address assignments", () => new Map<string, Assignment>());
/** How long a watch for an address runs at most (the step's own limit is usually far shorter). */
const watchLimitMs = 120_000;

function ingressAddress(service: V1Service | undefined): string | undefined {
  const ingress = service?.status?.loadBalancer?.ingress?.[0];
  return ingress?.ip ?? ingress?.hostname;
}

/**
 * Starts timing the address assignment of `name` from now (just after the API accepted the create or change).
 * Polls every 50 ms, so the time measured is at most one poll and one API round trip late.
 */
function watchAssignment(scenario: ScenarioContext, name: string, what: string): void {
  const requestedAt = performance.now();
  const result = eventually(
    `the Service ${name} gets a load-balancer address`,
    async () => {
      const service = await scenario.kube.core.readNamespacedService({ name, namespace: scenario.name });
      const address = ingressAddress(service);
      return { satisfied: address !== undefined, value: address ?? "no address" };
    },
    { timeoutMs: watchLimitMs, intervalMs: 50 },
  ).then(
    ({ value }) => ({ address: value, ms: performance.now() - requestedAt }),
    (error: unknown) => ({ error }),
  );
  scenario.slot(assignmentsSlot).set(name, { requestedAt, what, result });
}

/**
 * The demo backend `service` behind a LoadBalancer Service of the same name; the address assignment is timed from
 * the moment the Service was created. Returns once the Service serves through its ClusterIP (not waiting for the
 * address: a later step checks that, with its own limit).
 */
export async function deployBehindLoadBalancer(
  scenario: ScenarioContext,
  options: { service: string; replicas: number; sessionAffinity?: "ClientIP" },
): Promise<{ backend: Backend; service: Service }> {
  const { service: name, replicas, sessionAffinity } = options;
  const backend = await deployBackend(scenario, name, replicas);
  await createService(scenario, { name, selector: { app: name }, type: "LoadBalancer", sessionAffinity });
  watchAssignment(scenario, name, `the LoadBalancer Service ${name} was created`);
  const service = await watchService(scenario, name);
  await waitUntilInService(scenario, name);
  return { backend, service };
}

/**
 * Waits until the Service has a load-balancer address, at most `seconds` after it was asked for (created as, or
 * changed to, a LoadBalancer by a step of this scenario; otherwise from now). Checks the address is in the cluster's
 * pool when there is one, and attaches the time it took.
 */
export async function expectAddressWithin(handle: Service, seconds: number): Promise<string> {
  const { scenario, name } = handle;
  let assignment = scenario.peek(assignmentsSlot)?.get(name);
  if (!assignment) {
    watchAssignment(scenario, name, "this step started (no step of this scenario made it a LoadBalancer)");
    assignment = scenario.slot(assignmentsSlot).get(name)!;
  }
  const remainingMs = seconds * 1000 - (performance.now() - assignment.requestedAt);
  const timeout = new Promise<"late">((resolve) => setTimeout(resolve, Math.max(0, remainingMs), "late").unref());
  const outcome = await Promise.race([assignment.result, timeout]);
  if (outcome === "late") {
    const service = await scenario.kube.core.readNamespacedService({ name, namespace: scenario.name });
    throw new Error(
      `the Service ${name} got no load-balancer address within ${seconds} s after ${assignment.what}; last observed: type ${service.spec?.type}, status.loadBalancer ${JSON.stringify(service.status?.loadBalancer ?? {})}`,
    );
  }
  if ("error" in outcome) throw outcome.error;
  const took = outcome.ms / 1000;
  if (took > seconds) {
    throw new Error(
      `the Service ${name} got the load-balancer address ${outcome.address} ${took.toFixed(2)} s after ${assignment.what}, later than ${seconds} s`,
    );
  }
  const pool = await poolOf(scenario);
  if (pool && !pool.contains(outcome.address)) {
    throw new Error(
      `the Service ${name} got ${outcome.address}, outside the load-balancer pool ${pool.text} (IPAddressPool ${metallbNamespace}/${poolName})`,
    );
  }
  await scenario.attachText(
    "load-balancer address",
    `${outcome.address} assigned ${took.toFixed(2)} s after ${assignment.what}${pool ? ` (pool ${pool.text})` : ""}\n`,
  );
  scenario.note(`Service ${name} got the load-balancer address ${outcome.address} in ${took.toFixed(2)} s`);
  rememberedOf(scenario, name).address = outcome.address;
  return outcome.address;
}

/**
 * The Service still has the load-balancer address an earlier step saw it get: changing its NodePort or its ports
 * must not move it (Kubernetes' "[TCP] should be able to change the type and ports of the service" fails when
 * status.loadBalancer.ingress changes). Read once: put it after the traffic checks that follow a change, so the
 * load balancer has had time to react.
 */
export async function expectAddressKept(handle: Service): Promise<void> {
  const { scenario, name } = handle;
  const got = recalled(scenario, name).address;
  if (!got) {
    throw new UserError(
      `no earlier step of this scenario saw the Service ${name} get a load-balancer address, so there is none to compare with`,
      `check it first, e.g. Then the Service "${name}" gets a load-balancer address within 10 seconds.`,
    );
  }
  const service = await scenario.kube.core.readNamespacedService({ name, namespace: scenario.name });
  const now = (service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname);
  if (now.length !== 1 || now[0] !== got) {
    throw new Error(
      `expected the Service ${name} to keep the load-balancer address ${got} it got, but status.loadBalancer.ingress is ${now.length === 0 ? "empty" : now.join(", ")} (type ${service.spec?.type}); look at the Service's events and the MetalLB controller's log for why it was moved`,
    );
  }
  scenario.note(`Service ${name} kept its load-balancer address ${got}`);
}

/** The kubequake pool's address ranges, if the cluster has MetalLB's pool (other clusters may use another LB). */
async function poolOf(
  scenario: ScenarioContext,
): Promise<{ text: string; contains: (ip: string) => boolean } | undefined> {
  const pool = (await scenario.kube.custom
    .getNamespacedCustomObject({
      group: "metallb.io",
      version: "v1beta1",
      namespace: metallbNamespace,
      plural: "ipaddresspools",
      name: poolName,
    })
    .catch(() => undefined)) as { spec?: { addresses?: string[] } } | undefined;
  const ranges = pool?.spec?.addresses ?? [];
  if (ranges.length === 0) return undefined;
  return { text: ranges.join(", "), contains: (ip) => ranges.some((range) => inRange(ip, range)) };
}

/** Whether an IPv4 or IPv6 address is in a MetalLB range ("first-last" or a CIDR) of its own family. */
export function inRange(ip: string, range: string): boolean {
  const dash = /^(\S+)\s*-\s*(\S+)$/.exec(range);
  if (!dash) return range.includes("/") && ipInCidr(ip, range);
  const [address, first, last] = [ip, dash[1]!, dash[2]!].map(ipToBigInt);
  return address !== undefined && first !== undefined && last !== undefined && address >= first && address <= last;
}

function checkType(type: string): MovableType {
  if (!(movableTypes as readonly string[]).includes(type)) {
    throw new UserError(
      `"${type}" is not a Service type this step can move to or check`,
      `use one of ${movableTypes.join(", ")} (ExternalName has its own steps).`,
    );
  }
  return type as MovableType;
}

/**
 * Changes only `spec.type` (a JSON patch), as a user would with `kubectl patch`. Kubernetes itself drops what the new
 * type does not use (node ports and externalTrafficPolicy when leaving NodePort/LoadBalancer, the load-balancer
 * fields when leaving LoadBalancer); the check below asserts it did.
 */
export async function changeType(handle: Service, type: string): Promise<void> {
  const { scenario, name } = handle;
  const wanted = checkType(type);
  const before = await scenario.kube.core.readNamespacedService({ name, namespace: scenario.name });
  rememberFrom(scenario, name, before);
  await scenario.kube.core.patchNamespacedService({
    name,
    namespace: scenario.name,
    body: [{ op: "replace", path: "/spec/type", value: wanted }],
  });
  scenario.recordAction("patched", `Service ${name}: type ${before.spec?.type} → ${wanted}`, [], name);
  if (wanted === "LoadBalancer") watchAssignment(scenario, name, `the Service ${name} was changed to LoadBalancer`);
  else scenario.peek(assignmentsSlot)?.delete(name);
}

/**
 * Waits until the healthCheckNodePort the Service has (or had, before a step changed its type) answers 200 on no
 * node, two rounds in a row: a Service that left externalTrafficPolicy Local or type LoadBalancer must not leave
 * kube-proxy's health-check server behind, or a load balancer would keep sending traffic to the node. Upstream's
 * "should work for type=LoadBalancer" checks this in its cleanup.
 */
export async function waitUntilHealthCheckNodePortReleased(handle: Service, seconds: number): Promise<void> {
  const { scenario, name } = handle;
  const service = await scenario.kube.core.readNamespacedService({ name, namespace: scenario.name });
  const port = service.spec?.healthCheckNodePort ?? recalled(scenario, name).healthCheckNodePort;
  if (!port)
    throw new UserError(
      `the Service ${name} has no healthCheckNodePort and no earlier step saw one`,
      "give it externalTrafficPolicy Local as a LoadBalancer first, and change its type with a step of this scenario.",
    );
  let clean = 0;
  await eventuallyTimed(
    scenario,
    `the healthCheckNodePort ${port} that ${name} has or had answers 200 on no node (two rounds in a row)`,
    async () => {
      const nodes = await clusterNodes(scenario);
      const seen = await Promise.all(
        nodes.map(async (n) => ({
          node: n.name,
          status: await healthStatus(`http://${urlHost(n.ip)}:${port}/healthz`),
        })),
      );
      clean = seen.every((s) => s.status !== 200) ? clean + 1 : 0;
      return {
        satisfied: clean >= 2,
        value: seen.map((s) => `${s.node}: ${s.status || "no answer"}`).join(", "),
      };
    },
    { timeoutMs: seconds * 1000, intervalMs: 250 },
  );
}

/**
 * What is wrong with `service` as a Service of `type`, by the fields Kubernetes documents for each type (Service API
 * reference; "type" section of the Services concept page): empty when it is right. `kept` holds what an earlier check
 * saw: the ClusterIP must survive every move, and a NodePort must survive NodePort → LoadBalancer.
 */
export function typeFieldProblems(service: V1Service, type: MovableType, kept: Remembered = {}): string[] {
  const spec = service.spec ?? {};
  const problems: string[] = [];
  const ports = spec.ports ?? [];
  const ingress = service.status?.loadBalancer?.ingress ?? [];
  const external = type !== "ClusterIP";
  if (spec.type !== type) problems.push(`spec.type is ${spec.type}, expected ${type}`);
  if (!spec.clusterIP || spec.clusterIP === "None") problems.push(`spec.clusterIP is ${spec.clusterIP ?? "not set"}`);
  else if (kept.clusterIP && spec.clusterIP !== kept.clusterIP)
    problems.push(`spec.clusterIP changed from ${kept.clusterIP} to ${spec.clusterIP} (a type change keeps it)`);
  for (const [index, port] of ports.entries()) {
    const field = `spec.ports[${index}].nodePort`;
    if (external && (port.nodePort === undefined || port.nodePort < 30000 || port.nodePort > 32767))
      problems.push(`${field} is ${port.nodePort ?? "not set"}, expected one from 30000-32767`);
    if (!external && port.nodePort !== undefined) problems.push(`${field} is still ${port.nodePort}, expected cleared`);
  }
  if (type === "LoadBalancer" && kept.nodePort !== undefined && ports[0]?.nodePort !== kept.nodePort)
    problems.push(
      `spec.ports[0].nodePort changed from ${kept.nodePort} to ${ports[0]?.nodePort} (a type change keeps it)`,
    );
  if (external && spec.externalTrafficPolicy !== "Cluster")
    problems.push(
      `spec.externalTrafficPolicy is ${spec.externalTrafficPolicy ?? "not set"}, expected its default Cluster`,
    );
  if (!external && spec.externalTrafficPolicy !== undefined)
    problems.push(`spec.externalTrafficPolicy is still ${spec.externalTrafficPolicy}, expected cleared`);
  if (type === "LoadBalancer") {
    if (spec.allocateLoadBalancerNodePorts !== true)
      problems.push(
        `spec.allocateLoadBalancerNodePorts is ${spec.allocateLoadBalancerNodePorts ?? "not set"}, expected true`,
      );
    if (ingress.length === 0) problems.push("status.loadBalancer.ingress is empty, expected an address");
  } else {
    if (spec.allocateLoadBalancerNodePorts !== undefined)
      problems.push(
        `spec.allocateLoadBalancerNodePorts is still ${spec.allocateLoadBalancerNodePorts}, expected cleared`,
      );
    if (spec.healthCheckNodePort !== undefined)
      problems.push(`spec.healthCheckNodePort is still ${spec.healthCheckNodePort}, expected cleared`);
    if (ingress.length > 0)
      problems.push(
        `status.loadBalancer.ingress still lists ${ingress.map((i) => i.ip ?? i.hostname).join(", ")}, expected none`,
      );
  }
  return problems;
}

/** Waits until the Service carries exactly the fields of `type` (the load-balancer status follows asynchronously). */
export async function expectTypeFields(handle: Service, type: string, seconds: number): Promise<void> {
  const { scenario, name } = handle;
  const wanted = checkType(type);
  const kept = recalled(scenario, name);
  const { value } = await eventually(
    `the Service ${name} has the fields of a ${wanted} Service`,
    async () => {
      const service = await scenario.kube.core.readNamespacedService({ name, namespace: scenario.name });
      const problems = typeFieldProblems(service, wanted, kept);
      return { satisfied: problems.length === 0, value: problems.length === 0 ? service : problems.join("; ") };
    },
    { timeoutMs: seconds * 1000, intervalMs: 100 },
  );
  const service = value as V1Service;
  rememberFrom(scenario, name, service);
  const port = service.spec?.ports?.[0];
  await scenario.attachText(
    `fields of ${name} as ${wanted}`,
    `type ${service.spec?.type}, clusterIP ${service.spec?.clusterIP}, nodePort ${port?.nodePort ?? "-"}, externalTrafficPolicy ${service.spec?.externalTrafficPolicy ?? "-"}, allocateLoadBalancerNodePorts ${service.spec?.allocateLoadBalancerNodePorts ?? "-"}, load-balancer ingress ${ingressAddress(service) ?? "-"}\n`,
  );
}

/**
 * Sets `spec.loadBalancerSourceRanges` to the one outside client's address (/32, or /128 for an IPv6 load-balancer
 * address): kube-proxy then drops traffic to the load-balancer address from any other source.
 */
export async function admitOnlyOutsideClient(handle: Service, client: string): Promise<void> {
  const { scenario, name } = handle;
  const identity = await outsideClient(scenario, client).start();
  // The client's address of the load-balancer address's family: kube-proxy ignores ranges of the other family.
  const service = await scenario.kube.core.readNamespacedService({ name, namespace: scenario.name });
  const ipv6 = (ingressAddress(service) ?? service.spec?.clusterIP ?? "").includes(":");
  if (ipv6 && !identity.ipv6Address) {
    throw new UserError(
      `Service ${name}'s load-balancer address is IPv6, but outside client "${client}" (${identity.address}) has no IPv6 address on the network ${outsideNetwork}`,
      "run on a cluster whose Docker network has IPv6 (--ip-family dual or ipv6), or give the Service an IPv4 address.",
    );
  }
  const range = ipv6 ? `${identity.ipv6Address}/128` : `${identity.address}/32`;
  await scenario.kube.core.patchNamespacedService({
    name,
    namespace: scenario.name,
    body: [{ op: "add", path: "/spec/loadBalancerSourceRanges", value: [range] }],
  });
  scenario.recordAction(
    "patched",
    `Service ${name}: loadBalancerSourceRanges [${range}] (outside client "${client}")`,
    [],
    name,
  );
}

/** The nodes MetalLB's speakers say announce the Service's address (ServiceL2Status objects, MetalLB ≥ 0.14). */
export async function announcingNodes(scenario: ScenarioContext, name: string): Promise<string[]> {
  const list = (await scenario.kube.custom
    .listNamespacedCustomObject({
      group: "metallb.io",
      version: "v1beta1",
      namespace: metallbNamespace,
      plural: "servicel2statuses",
    })
    .catch((error: unknown) => {
      throw new UserError(
        `cannot read MetalLB's ServiceL2Status objects in ${metallbNamespace} (${error instanceof Error ? error.message.split("\n")[0] : error})`,
        "this step needs MetalLB in L2 mode (kubequake's own cluster has it); on another cluster leave it out.",
      );
    })) as { items?: { status?: { node?: string; serviceName?: string; serviceNamespace?: string } }[] };
  return (list.items ?? [])
    .map((item) => item.status ?? {})
    .filter((status) => status.serviceName === name && status.serviceNamespace === scenario.name)
    .map((status) => status.node ?? "?")
    .sort();
}

/**
 * Remembers the node that announces the Service's load-balancer address (MetalLB L2: the elected speaker) as `name`,
 * e.g. to stop that very node later. Exactly one node must announce it now: none or several is reported as seen.
 */
export async function rememberAnnouncingNode(handle: Service, name: string): Promise<string> {
  const { scenario, name: service } = handle;
  const nodes = await announcingNodes(scenario, service);
  if (nodes.length !== 1) {
    throw new UserError(
      `${scenario.source}: ${nodes.length === 0 ? "no node announces" : `${nodes.length} nodes announce (${nodes.join(", ")})`} the load-balancer address of ${service}, so there is no announcing node to remember as "${name}"`,
      `wait for it first: Then within 30 seconds the load balancer announces the address of "${service}" from one node.`,
    );
  }
  rememberValue(scenario, name, nodes[0]!, `the node announcing the load-balancer address of ${service}`);
  return nodes[0]!;
}

/**
 * Waits until `count` nodes announce the Service's address (L2: one, the elected speaker; none when the Service has
 * no ready endpoint, which MetalLB does on purpose: it withdraws the address, so clients time out rather than being
 * refused). Reports the node and how long after the scenario's last action.
 */
export async function expectAnnouncingNodes(handle: Service, count: 0 | 1, seconds: number): Promise<void> {
  const { scenario, name } = handle;
  const started = performance.now();
  const { value } = await eventually(
    `${count === 0 ? "no node" : "one node"} announces the load-balancer address of ${name}`,
    async () => {
      const nodes = await announcingNodes(scenario, name);
      return { satisfied: nodes.length === count, value: nodes.length === 0 ? "no node" : nodes.join(", ") };
    },
    { timeoutMs: seconds * 1000, intervalMs: 100 },
  );
  scenario.note(
    `load-balancer address of ${name} announced by ${value} (${((performance.now() - started) / 1000).toFixed(2)} s after the step started)`,
  );
}
