import { clientPod } from "../clients/registry.ts";
import { endpointWatcher, watchEndpoints } from "../endpoints/watcher.ts";
import { listPods } from "../kube/pods.ts";
import type { BackendOptions, ServiceOptions } from "../kube/workloads.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";
import { createService, deployBackend } from "./backends.ts";

/** Creates a Service of the given type and starts watching its EndpointSlices (for timing endpoint changes). */
export async function exposeBackend(
  scenario: ScenarioContext,
  options: Omit<ServiceOptions, "type" | "headless"> & { type: string },
): Promise<void> {
  const headless = options.type === "headless";
  const type = headless ? "ClusterIP" : (options.type as "ClusterIP" | "NodePort");
  await createService(scenario, { ...options, type, headless });
  await watchEndpoints(scenario, options.name);
}

/**
 * Waits until a just-created Service is really in service: `replicas` ready endpoints in its EndpointSlices, its
 * name resolving from a client (CoreDNS watches Services; until it has seen this one the name does not exist), and,
 * unless headless, a few requests through its ClusterIP answered (kube-proxy programs the nodes shortly after the
 * EndpointSlice changes; without this, a scenario's first requests could be refused).
 */
export async function waitUntilServing(
  scenario: ScenarioContext,
  service: string,
  replicas: number,
  headless: boolean,
) {
  const watcher = endpointWatcher(scenario, service);
  const context = scenario;
  await watcher.waitFor(
    `Service ${service} has ${replicas} ready endpoints`,
    (e) => e.filter((x) => x.ready).length === replicas,
    60_000,
  );
  const { spec } = await context.kube.core.readNamespacedService({ name: service, namespace: context.name });
  const client = clientPod(context);
  await client.start();
  if (!headless || replicas > 0) {
    await eventually(
      `the name ${service} resolves from a client`,
      async () => {
        const [lookup] = await client.lookUp({ name: service, type: "A" });
        const answers = lookup?.answers ?? [];
        const expected = headless ? answers.length === replicas : answers.join() === spec?.clusterIP;
        return { satisfied: Boolean(lookup?.ok) && expected, value: lookup?.ok ? answers : lookup?.errorKind };
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }
  if (headless || replicas === 0) return;
  const url = `http://${spec?.clusterIP}:${spec?.ports?.[0]?.port ?? 80}/`;
  await eventually(
    `Service ${service} answers at ${url}`,
    async () => {
      const { probe } = await client.send({ url, count: 3, timeoutMs: 1000, concurrency: 1 });
      return { satisfied: probe.results.every((r) => r.ok), value: probe.results.map((r) => r.pod || r.errorKind) };
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

/** The demo backend `service` (pods app=<service>) behind a Service of the same name, in service when it returns. */
export async function deployBehindService(
  scenario: ScenarioContext,
  options: { service: string; replicas: number; type: string } & Pick<
    ServiceOptions,
    "sessionAffinity" | "affinityTimeoutSeconds"
  > &
    Pick<BackendOptions, "shutdownDelaySeconds" | "spreadOverNodes">,
): Promise<void> {
  const { service, replicas, type, shutdownDelaySeconds, spreadOverNodes, ...affinity } = options;
  await deployBackend(scenario, service, replicas, { shutdownDelaySeconds, spreadOverNodes });
  await exposeBackend(scenario, { name: service, selector: { app: service }, type, ...affinity });
  await waitUntilServing(scenario, service, replicas, type === "headless");
}

/** A Service selecting pods that already run; in service (as far as those pods are ready) when it returns. */
export async function exposeSelected(
  scenario: ScenarioContext,
  options: Omit<ServiceOptions, "type" | "headless"> & { type: string },
): Promise<void> {
  await exposeBackend(scenario, options);
  const ready = (await listPods(scenario.kube, scenario.name, options.selector)).filter(
    (p) => p.ready && !p.terminating,
  );
  await waitUntilServing(scenario, options.name, ready.length, options.type === "headless");
}
