import { clientPod, clientPodFrom } from "../clients/registry.ts";
import { outsideZone } from "../cluster/kind.ts";
import { UserError } from "../errors/user-error.ts";
import { proberPod } from "../kube/workloads.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";
import type { Backend } from "../services/backend.ts";
import { waitUntilInService } from "../services/in-service.ts";
import { watchService } from "../services/service.ts";
import { assertRequestCount } from "../traffic/client.ts";
import { eventually } from "../wait/eventually.ts";
import { type OutsideContainer, outsideSubnets, startOutsideContainer } from "./containers.ts";
import { eventuallyTimed } from "./timing.ts";

/** An HTTP service outside the cluster: a demo backend container on the kind network, with a name in the test zone. */
export interface OutsideService extends OutsideContainer {
  /** Its name in the test zone, e.g. ip-172-18-0-7.outside.test (the cluster's CoreDNS answers it). */
  readonly dnsName: string;
  /** What it answers as its "pod" name, so requests it answered can be told apart. */
  readonly label: string;
}

/** The outside services the scenario started, by label. */
const outsideServicesSlot = defineSlot(
  "outside services",
  () => ({ byLabel: new Map<string, OutsideService>(), removals: [] as (() => Promise<void>)[] }),
  // Every container is removed at cleanup; a failed removal does not stop the others.
  async ({ removals }) => {
    const failed = (await Promise.allSettled(removals.map((remove) => remove()))).flatMap((r) =>
      r.status === "rejected" ? [r.reason] : [],
    );
    if (failed.length > 0)
      throw new AggregateError(failed, `${failed.length} outside service container(s) were not removed`);
  },
);

/** Starts the outside HTTP service `label` (removed with the scenario, or by the Ctrl-C handler). */
export async function startOutsideService(scenario: ScenarioContext, label: string): Promise<OutsideService> {
  const container = await startOutsideContainer(scenario, {
    name: `svc-${label}`.replace(/[^a-zA-Z0-9_.-]/g, "-"),
    command: ["backend"],
    env: { POD_NAME: label, NODE_NAME: "outside" },
  });
  const service = {
    name: container.name,
    ip: container.ip,
    label,
    dnsName: `ip-${container.ip.replaceAll(".", "-")}.${outsideZone}`,
  };
  const services = scenario.slot(outsideServicesSlot);
  services.removals.push(container.remove);
  services.byLabel.set(label, service);
  scenario.note(`outside service ${label} at ${service.ip}, published as ${service.dnsName}`);
  return service;
}

/** An outside service the scenario started; a UserError listing them for any other name. */
export function outsideService(scenario: ScenarioContext, label: string): OutsideService {
  const service = scenario.peek(outsideServicesSlot)?.byLabel.get(label);
  if (!service) {
    const known = [...(scenario.peek(outsideServicesSlot)?.byLabel.keys() ?? [])];
    throw new UserError(
      `there is no outside service "${label}" in this scenario (outside services here: ${known.join(", ") || "none"})`,
      `start it first: Given the outside HTTP service "${label}" runs on the kind network.`,
    );
  }
  return service;
}

/**
 * Makes `name` an ExternalName Service for the outside service (creating it, or turning a ClusterIP Service into
 * one: its cluster IP, selector and ports go, as the API requires).
 */
export async function pointExternalName(scenario: ScenarioContext, name: string, label: string): Promise<void> {
  const target = outsideService(scenario, label);
  const current = await scenario.kube.core
    .readNamespacedService({ name, namespace: scenario.name })
    .catch(() => undefined);
  if (!current) {
    await scenario.namespace.apply({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name },
      spec: { type: "ExternalName", externalName: target.dnsName },
    });
    await watchService(scenario, name);
  } else {
    const { clusterIP, clusterIPs, selector, ports, ipFamilies, ipFamilyPolicy, internalTrafficPolicy, ...rest } =
      current.spec ?? {};
    const spec = { ...rest, type: "ExternalName", externalName: target.dnsName };
    await scenario.kube.core.replaceNamespacedService({ name, namespace: scenario.name, body: { ...current, spec } });
  }
  scenario.recordAction("patched", `Service ${name} is now ExternalName ${target.dnsName} (${label})`, [], name);
}

/** Turns an ExternalName Service back into a ClusterIP Service selecting app=<backend>; waits until in service. */
export async function backToClusterIP(scenario: ScenarioContext, name: string, backend: Backend): Promise<void> {
  const current = await scenario.kube.core.readNamespacedService({ name, namespace: scenario.name });
  const { externalName, ...rest } = current.spec ?? {};
  const spec = {
    ...rest,
    type: "ClusterIP",
    selector: { app: backend.name },
    ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }],
  };
  await scenario.kube.core.replaceNamespacedService({ name, namespace: scenario.name, body: { ...current, spec } });
  scenario.recordAction(
    "patched",
    `Service ${name} is a ClusterIP Service again (was ExternalName ${externalName})`,
    [],
    name,
  );
  await waitUntilInService(scenario, name);
}

/**
 * A scenario whose first pod is a client (no backend deployed first) can come before the namespace's default
 * ServiceAccount, and the API server refuses pods until it exists: wait for it.
 */
async function namespaceAcceptsPods(scenario: ScenarioContext): Promise<void> {
  await eventually(
    `the ServiceAccount default of ${scenario.name} exists (pods are refused until it does)`,
    async () => {
      const account = await scenario.kube.core
        .readNamespacedServiceAccount({ name: "default", namespace: scenario.name })
        .catch(() => undefined);
      return { satisfied: account !== undefined, value: account ? "present" : "missing" };
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

/** Waits until `name` (looked up from a client pod) answers a CNAME to the outside service's name. */
export async function waitForCname(
  scenario: ScenarioContext,
  options: { seconds: number; name: string; label: string },
): Promise<void> {
  const target = outsideService(scenario, options.label);
  await namespaceAcceptsPods(scenario);
  const client = clientPod(scenario);
  // Made before the wait, so its start-up is not counted against the name's time to resolve.
  await client.start();
  await eventuallyTimed(
    scenario,
    `${options.name} resolves to a CNAME for ${target.dnsName} (the outside service ${options.label})`,
    async () => {
      const [lookup] = await client.lookUp({ name: options.name, type: "CNAME" });
      const answers = (lookup?.answers ?? []).map((a) => a.replace(/\.$/, ""));
      return { satisfied: answers.includes(target.dnsName), value: lookup?.ok ? answers : lookup?.errorKind };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 250 },
  );
}

/** A client pod that may also connect to the kind network (where the outside services are), made on first use. */
function outsideCaller(scenario: ScenarioContext) {
  const name = "outside-caller";
  return clientPodFrom(scenario, {
    name,
    label: "a client pod that may reach the kind network",
    manifest: async () => {
      await namespaceAcceptsPods(scenario);
      return proberPod(name, scenario.image, `${scenario.allowedNetworks},${await outsideSubnets()}`);
    },
  });
}

/** Sends batches from a client pod to http://<name>:8080/ until every request is answered by the outside service. */
export async function waitUntilOutsideServiceAnswers(
  scenario: ScenarioContext,
  options: { seconds: number; count: number; name: string; label: string },
): Promise<void> {
  const target = outsideService(scenario, options.label);
  const caller = outsideCaller(scenario);
  await caller.start();
  const url = `http://${options.name}:8080/`;
  // With no request, "every request was answered by the outside service" would hold at once.
  assertRequestCount(options.count, url);
  await eventuallyTimed(
    scenario,
    `${options.count} requests from a client pod to ${url} are all answered by the outside service ${options.label} (${target.ip})`,
    async () => {
      const { probe } = await caller.send({ url, count: options.count, timeoutMs: 1000, concurrency: 1 });
      const by = probe.results.map((r) => (r.ok ? r.pod : r.errorKind));
      return { satisfied: by.every((who) => who === options.label), value: [...new Set(by)].join(", ") };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 250 },
  );
}
