import type { V1Service } from "@kubernetes/client-node";
import { waitForReadyPods } from "../kube/pods.ts";
import {
  type BackendOptions,
  backendWorkload,
  frontendWorkload,
  type ServiceOptions,
  serviceManifest,
} from "../kube/workloads.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { type Backend, registerBackend } from "./backend.ts";

/** Pods become Ready within this on a warm cluster (image preloaded); generous for a loaded 2-core machine. */
const readyTimeoutMs = 120_000;

/**
 * Deploys the demo backend `name` (pods labelled app=<name>), registers it as a backend of the scenario and waits
 * until all replicas are Ready; returns its handle.
 */
export async function deployBackend(
  context: ScenarioContext,
  name: string,
  replicas: number,
  options: Pick<BackendOptions, "kind" | "serviceName" | "shutdownDelaySeconds" | "spreadOverNodes"> = {},
): Promise<Backend> {
  await context.namespace.apply(backendWorkload({ name, image: context.image, replicas, ...options }));
  context.recordAction("applied", `deployed the demo backend ${name} with ${replicas} replica(s)`, [], name);
  const backend = registerBackend(context, name, options.kind ?? "Deployment");
  await waitForReadyPods(context.kube, context.name, { app: name }, replicas, readyTimeoutMs);
  return backend;
}

/**
 * Deploys the demo frontend `name`, which calls `backendUrl` on every request, and waits until it is Ready. Its pods
 * (app=<name>) are a backend of the scenario too, as any Deployment is.
 */
export async function deployFrontend(context: ScenarioContext, name: string, backendUrl: string): Promise<Backend> {
  await context.namespace.apply(frontendWorkload(name, context.image, backendUrl, context.allowedNetworks));
  context.recordAction("applied", `deployed the demo frontend ${name} calling ${backendUrl}`, [], name);
  const frontend = registerBackend(context, name, "Deployment");
  await waitForReadyPods(context.kube, context.name, { app: name }, 1, readyTimeoutMs);
  return frontend;
}

export async function createService(context: ScenarioContext, options: ServiceOptions): Promise<V1Service> {
  const service = await context.namespace.apply(serviceManifest(options));
  context.recordAction("applied", `created the Service ${options.name}`, [], options.name);
  return service;
}
