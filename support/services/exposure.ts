import type { BackendOptions, ServiceOptions } from "../kube/workloads.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import type { Backend } from "./backend.ts";
import { createService, deployBackend, deployFrontend } from "./backends.ts";
import { waitUntilInService } from "./in-service.ts";
import { type Service, watchService } from "./service.ts";

/**
 * Creates a Service of the given type, starts watching its EndpointSlices (for timing endpoint changes) and registers
 * it; returns its handle. Not waited for: see {@link waitUntilInService}.
 */
export async function exposeBackend(
  scenario: ScenarioContext,
  options: Omit<ServiceOptions, "type" | "headless"> & { type: string },
): Promise<Service> {
  const headless = options.type === "headless";
  const type = headless ? "ClusterIP" : (options.type as "ClusterIP" | "NodePort");
  await createService(scenario, { ...options, type, headless });
  return watchService(scenario, options.name);
}

/** The demo backend `service` (pods app=<service>) behind a Service of the same name, in service when it returns. */
export async function deployBehindService(
  scenario: ScenarioContext,
  options: { service: string; replicas: number; type: string } & Pick<
    ServiceOptions,
    "sessionAffinity" | "affinityTimeoutSeconds"
  > &
    Pick<BackendOptions, "shutdownDelaySeconds" | "spreadOverNodes">,
): Promise<{ backend: Backend; service: Service }> {
  const { service: name, replicas, type, shutdownDelaySeconds, spreadOverNodes, ...affinity } = options;
  const backend = await deployBackend(scenario, name, replicas, { shutdownDelaySeconds, spreadOverNodes });
  const service = await exposeBackend(scenario, { name, selector: { app: name }, type, ...affinity });
  await waitUntilInService(scenario, name);
  return { backend, service };
}

/**
 * The demo backend `name` as a StatefulSet governed by the headless Service `service` (each pod gets a DNS name
 * <name>-<i>.<service>), in service when it returns.
 */
export async function deployStatefulBehindHeadless(
  scenario: ScenarioContext,
  options: { name: string; replicas: number; service: string },
): Promise<{ backend: Backend; service: Service }> {
  const service = await exposeBackend(scenario, {
    name: options.service,
    selector: { app: options.name },
    type: "headless",
  });
  const backend = await deployBackend(scenario, options.name, options.replicas, {
    kind: "StatefulSet",
    serviceName: options.service,
  });
  await waitUntilInService(scenario, options.service);
  return { backend, service };
}

/** A Service selecting pods that already run; in service (as far as those pods are ready) when it returns. */
export async function exposeSelected(
  scenario: ScenarioContext,
  options: Omit<ServiceOptions, "type" | "headless"> & { type: string },
): Promise<Service> {
  const service = await exposeBackend(scenario, options);
  await waitUntilInService(scenario, options.name);
  return service;
}

/**
 * The demo frontend `name` (calling `backendUrl` on every request) behind a ClusterIP Service of the same name, in
 * service when it returns.
 */
export async function deployFrontendBehindService(
  scenario: ScenarioContext,
  name: string,
  backendUrl: string,
): Promise<{ frontend: Backend; service: Service }> {
  const frontend = await deployFrontend(scenario, name, backendUrl);
  const service = await exposeBackend(scenario, { name, selector: { app: name }, type: "ClusterIP" });
  await waitUntilInService(scenario, name);
  return { frontend, service };
}
