import type { V1Service } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";
import { postToPod } from "../kube/client.ts";
import { deletePod, listPods, type PodSummary, waitForReadyPods } from "../kube/pods.ts";
import {
  type BackendOptions,
  backendWorkload,
  checkReplicas,
  frontendWorkload,
  type ServiceOptions,
  serviceManifest,
} from "../kube/workloads.ts";
import type { Action, ScenarioContext } from "../scenario/context.ts";
import { requirePodCount } from "./pod-counts.ts";

/** Pods become Ready within this on a warm cluster (image preloaded); generous for a loaded 2-core machine. */
const readyTimeoutMs = 120_000;

/** Deploys the demo backend `name` (pods labelled app=<name>) and waits until all replicas are Ready. */
export async function deployBackend(
  context: ScenarioContext,
  name: string,
  replicas: number,
  options: Pick<BackendOptions, "kind" | "serviceName" | "shutdownDelaySeconds" | "spreadOverNodes"> = {},
): Promise<PodSummary[]> {
  await context.namespace.apply(backendWorkload({ name, image: context.image, replicas, ...options }));
  context.recordAction("applied", `deployed the demo backend ${name} with ${replicas} replica(s)`, [], name);
  return waitForReadyPods(context.kube, context.name, { app: name }, replicas, readyTimeoutMs);
}

/** Deploys the demo frontend `name`, which calls `backendUrl` on every request, and waits until it is Ready. */
export async function deployFrontend(context: ScenarioContext, name: string, backendUrl: string): Promise<void> {
  await context.namespace.apply(frontendWorkload(name, context.image, backendUrl, context.allowedNetworks));
  context.recordAction("applied", `deployed the demo frontend ${name} calling ${backendUrl}`, [], name);
  await waitForReadyPods(context.kube, context.name, { app: name }, 1, readyTimeoutMs);
}

export async function createService(context: ScenarioContext, options: ServiceOptions): Promise<V1Service> {
  const service = await context.namespace.apply(serviceManifest(options));
  context.recordAction("applied", `created the Service ${options.name}`, [], options.name);
  return service;
}

/** Pods of the backend `name` (label app=<name>), sorted by name. */
export function backendPods(context: ScenarioContext, name: string): Promise<PodSummary[]> {
  return listPods(context.kube, context.name, { app: name });
}

/** Sets the replica count of a backend Deployment or StatefulSet. */
export async function scaleBackend(context: ScenarioContext, name: string, replicas: number): Promise<void> {
  checkReplicas(name, replicas);
  const patch = [{ op: "replace", path: "/spec/replicas", value: replicas }];
  const kind = (await context.kube.apps.listNamespacedStatefulSet({ namespace: context.name })).items.some(
    (s) => s.metadata?.name === name,
  )
    ? "StatefulSet"
    : "Deployment";
  if (kind === "StatefulSet") {
    await context.kube.apps.patchNamespacedStatefulSet({ name, namespace: context.name, body: patch });
  } else {
    await context.kube.apps.patchNamespacedDeployment({ name, namespace: context.name, body: patch });
  }
  context.recordAction("scaled", `${name} scaled to ${replicas} replicas`, [], name);
}

/**
 * Deletes `count` running, ready pods of a backend (the first ones by name, so runs are reproducible);
 * gracefully (the pod's grace period) or by force (grace 0). Returns the killed pods.
 */
export async function killBackendPods(
  context: ScenarioContext,
  name: string,
  count: number,
  mode: "graceful" | "force",
): Promise<PodSummary[]> {
  const candidates = await readyPodsOf(context, name);
  requirePodCount(
    count,
    candidates.map((p) => p.name),
    mode === "force" ? "force-delete" : "kill",
    name,
  );
  const victims = candidates.slice(0, count);
  const kind = mode === "force" ? "force-deleted" : "killed";
  await Promise.all(victims.map((pod) => deletePod(context.kube, context.name, pod.name, mode)));
  context.recordAction(
    kind,
    `${count} pod(s) of ${name} ${kind}`,
    victims.map((p) => p.name),
    name,
  );
  return victims;
}

/** Flips a demo pod's readiness through its admin endpoint (the pod keeps running). */
export async function setPodReadiness(context: ScenarioContext, pod: string, ready: boolean): Promise<void> {
  await postToPod(
    context.kube,
    { namespace: context.name, pod, port: 8080, path: `/admin/ready?value=${ready}` },
    {},
    10_000,
  );
}

/** Makes `count` ready pods of a backend unready; returns them. */
export async function makePodsUnready(context: ScenarioContext, name: string, count: number): Promise<PodSummary[]> {
  const ready = await readyPodsOf(context, name);
  requirePodCount(
    count,
    ready.map((p) => p.name),
    "make unready",
    name,
  );
  const candidates = ready.slice(0, count);
  for (const pod of candidates) await setPodReadiness(context, pod.name, false);
  context.recordAction(
    "unready",
    `${count} pod(s) of ${name} turned unready`,
    candidates.map((p) => p.name),
    name,
  );
  return candidates;
}

/**
 * The scenario's newest "turned unready" action whose pods are still unready (no "turned ready again" since), for
 * steps about "the unready pods". `backend` narrows it to one backend. A clear error when there is none: a check of
 * "the unready pods" with no unready pods would otherwise pass without checking anything.
 */
export function unreadyAction(context: ScenarioContext, backend?: string): Action {
  const action = context.lastActionOf("unready", "ready");
  const of = backend ? ` of ${backend}` : "";
  const example = `When 1 pod of "${backend ?? "web"}" turns unready`;
  if (action?.kind !== "unready") {
    throw new UserError(
      `this step is about the unready pods${of}, but no pod${of} was made unready earlier in this scenario (${action ? `the last readiness change was: ${action.description}` : "no pod was made unready at all"})`,
      `make pods unready first, with a step like: ${example}.`,
    );
  }
  if (backend !== undefined && action.target !== backend) {
    throw new UserError(
      `this step is about the unready pods of ${backend}, but the pods made unready were of ${action.target ?? "another backend"} (${action.pods.join(", ")})`,
      `name the backend whose pods were made unready, or add a step like: ${example}.`,
    );
  }
  return action;
}

/** Makes the pods of the newest "turned unready" action ready again; returns them. */
export async function makePodsReadyAgain(context: ScenarioContext): Promise<readonly string[]> {
  const { pods, target } = unreadyAction(context);
  for (const pod of pods) await setPodReadiness(context, pod, true);
  context.recordAction("ready", `${pods.join(", ")} turned ready again`, pods, target);
  return pods;
}

/**
 * Checks that the pods made unready (the newest "turned unready" action on `backend`) were neither deleted nor
 * restarted into new pods: each is still Running and not terminating. Fails clearly when no pod was made unready.
 */
export async function expectUnreadyPodsRunning(context: ScenarioContext, backend: string): Promise<void> {
  const { pods: unready } = unreadyAction(context, backend);
  const running = (await backendPods(context, backend)).filter((p) => p.phase === "Running" && !p.terminating);
  const gone = unready.filter((pod) => !running.some((p) => p.name === pod));
  if (gone.length > 0) {
    throw new Error(
      `expected the unready pod(s) ${unready.join(", ")} of ${backend} to keep running, but ${gone.join(", ")} did not; running: ${running.map((p) => p.name).join(", ") || "none"}. Look at the pods' events in the diagnostics (a failing liveness probe or an eviction restarts or removes a pod).`,
    );
  }
}

/** Switches a Service's session affinity (with an optional ClientIP timeout in seconds). */
export async function setSessionAffinity(
  context: ScenarioContext,
  service: string,
  affinity: "ClientIP" | "None",
  timeoutSeconds?: number,
): Promise<void> {
  // A patch, not read-modify-replace: a LoadBalancer Service is written by its controller too (MetalLB), and a
  // replace based on an older read is refused with 409 Conflict.
  const current = await context.kube.core.readNamespacedService({ name: service, namespace: context.name });
  const config =
    affinity === "ClientIP"
      ? [
          {
            op: "add",
            path: "/spec/sessionAffinityConfig",
            value: { clientIP: { timeoutSeconds: timeoutSeconds ?? 10800 } },
          },
        ]
      : current.spec?.sessionAffinityConfig
        ? [{ op: "remove", path: "/spec/sessionAffinityConfig" }]
        : [];
  await context.kube.core.patchNamespacedService({
    name: service,
    namespace: context.name,
    body: [{ op: "add", path: "/spec/sessionAffinity", value: affinity }, ...config],
  });
  context.recordAction(
    "affinity",
    `Service ${service} switched to session affinity ${affinity}${timeoutSeconds ? ` (${timeoutSeconds} s)` : ""}`,
    [],
    service,
  );
}

/** Ready pods of a backend that are not terminating, sorted by name. */
export async function readyPodsOf(context: ScenarioContext, name: string): Promise<PodSummary[]> {
  return (await backendPods(context, name)).filter((p) => p.ready && !p.terminating);
}
