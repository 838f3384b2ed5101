import { EndpointWatcher } from "../endpoints/watcher.ts";
import { probeHttp } from "../kube/prober.ts";
import type { ServiceOptions } from "../kube/workloads.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";
import { createService, deployBackend } from "./backends.ts";

/** Anything that keeps a registry of watched Services (the World). */
export interface WatchRegistry {
  readonly scenario: ScenarioContext;
  readonly watchers: Map<string, EndpointWatcher>;
}

/** Creates a Service of the given type and starts watching its EndpointSlices (for timing endpoint changes). */
export async function exposeBackend(
  registry: WatchRegistry,
  options: Omit<ServiceOptions, "type" | "headless"> & { type: string },
): Promise<void> {
  const headless = options.type === "headless";
  const type = headless ? "ClusterIP" : (options.type as "ClusterIP" | "NodePort");
  await createService(registry.scenario, { ...options, type, headless });
  registry.watchers.set(options.name, await EndpointWatcher.start(registry.scenario, options.name));
}

/**
 * Waits until a just-created Service is really in service: `replicas` ready endpoints in its EndpointSlices and,
 * unless headless, a few requests through its ClusterIP all answered (kube-proxy programs the nodes shortly after
 * the EndpointSlice changes; without this, a scenario's first requests could be refused).
 */
export async function waitUntilServing(registry: WatchRegistry, service: string, replicas: number, headless: boolean) {
  const watcher = registry.watchers.get(service);
  if (!watcher) throw new Error(`Service ${service} is not watched`);
  await watcher.waitFor(
    `Service ${service} has ${replicas} ready endpoints`,
    (e) => e.filter((x) => x.ready).length === replicas,
    60_000,
  );
  if (headless) return;
  const context = registry.scenario;
  const { spec } = await context.kube.core.readNamespacedService({ name: service, namespace: context.name });
  const url = `http://${spec?.clusterIP}:${spec?.ports?.[0]?.port ?? 80}/`;
  const client = await context.client();
  await eventually(
    `Service ${service} answers at ${url}`,
    async () => {
      const probe = await probeHttp(context.kube, context.name, client, { url, count: 3, timeoutMs: 1000 });
      return { satisfied: probe.results.every((r) => r.ok), value: probe.results.map((r) => r.pod || r.errorKind) };
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

/** The demo backend `service` (pods app=<service>) behind a Service of the same name, in service when it returns. */
export async function deployBehindService(
  registry: WatchRegistry,
  options: { service: string; replicas: number; type: string } & Pick<
    ServiceOptions,
    "sessionAffinity" | "affinityTimeoutSeconds"
  >,
): Promise<void> {
  const { service, replicas, type, ...affinity } = options;
  await deployBackend(registry.scenario, service, replicas);
  await exposeBackend(registry, { name: service, selector: { app: service }, type, ...affinity });
  await waitUntilServing(registry, service, replicas, type === "headless");
}
