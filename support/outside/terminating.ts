import type { KubernetesObject } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";
import { type PodSummary, waitForReadyPods } from "../kube/pods.ts";
import { backendWorkload } from "../kube/workloads.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { type Backend, registerBackend } from "../services/backend.ts";
import { createService } from "../services/backends.ts";
import { waitUntilInService } from "../services/in-service.ts";
import { type Service, watchService } from "../services/service.ts";
import type { TrafficResult } from "../traffic/client.ts";

/**
 * The demo backend whose pods keep serving `lingerSeconds` after they are deleted: a preStop sleep holds off the
 * SIGTERM, so a deleted pod's endpoint is terminating but still serving (and passes readiness) until the sleep ends.
 * Behind a Service of the same name, in service when it returns.
 */
export async function deployLingeringBackend(
  scenario: ScenarioContext,
  options: { name: string; replicas: number; type: string; lingerSeconds: number; publishNotReady?: boolean },
): Promise<{ backend: Backend; service: Service }> {
  if (options.type !== "ClusterIP" && options.type !== "NodePort") {
    throw new UserError(
      `a backend whose pods serve after deletion goes behind a ClusterIP or NodePort Service, not ${options.type}`,
      `write ClusterIP or NodePort, e.g. Given the demo backend runs 1 replica behind the NodePort Service "${options.name}", each pod serving 30 seconds after it is deleted.`,
    );
  }
  const workload = backendWorkload({
    name: options.name,
    image: scenario.image,
    replicas: options.replicas,
  }) as KubernetesObject & {
    spec: { template: { spec: { terminationGracePeriodSeconds: number; containers: Record<string, unknown>[] } } };
  };
  const pod = workload.spec.template.spec;
  pod.terminationGracePeriodSeconds = options.lingerSeconds + 10;
  pod.containers[0]!.lifecycle = { preStop: { sleep: { seconds: options.lingerSeconds } } };
  await scenario.namespace.apply(workload);
  scenario.recordAction(
    "applied",
    `deployed the demo backend ${options.name} lingering ${options.lingerSeconds} s in preStop`,
    [],
    options.name,
  );
  const backend = registerBackend(scenario, options.name, "Deployment");
  await waitForReadyPods(scenario.kube, scenario.name, { app: options.name }, options.replicas, 120_000);
  await createService(scenario, {
    name: options.name,
    selector: { app: options.name },
    type: options.type as "ClusterIP" | "NodePort",
    publishNotReadyAddresses: options.publishNotReady ?? false,
  });
  const service = await watchService(scenario, options.name);
  await waitUntilInService(scenario, options.name);
  return { backend, service };
}

/** Pods of a backend that are deleted but still running (in their grace period), by name. */
export async function terminatingPodsOf(backend: Backend): Promise<PodSummary[]> {
  return (await backend.pods()).filter((p) => p.terminating && p.phase === "Running");
}

/** Pods of `backend` in a state, for per-node checks: ready (and not terminating), or terminating and still running. */
export function podsIn(backend: Backend, state: "ready" | "terminating"): Promise<PodSummary[]> {
  return state === "ready" ? backend.readyPods() : terminatingPodsOf(backend);
}

/** Every request of the last traffic was answered, each by a pod of `backend` that is terminating now. */
export async function expectAnsweredByTerminatingPods(
  traffic: readonly TrafficResult[],
  backend: Backend,
): Promise<void> {
  const terminating = (await terminatingPodsOf(backend)).map((p) => p.name);
  const results = traffic.flatMap((t) => t.probe.results);
  const others = results.filter((r) => !r.ok || !terminating.includes(r.pod));
  if (results.length === 0 || terminating.length === 0 || others.length > 0) {
    throw new Error(
      `expected every request to be answered by a terminating pod of ${backend.name} (${terminating.join(", ") || "none is terminating"}), but ${others.length} of ${results.length} were not: ${[...new Set(others.map((r) => (r.ok ? r.pod : r.errorKind)))].join(", ")}`,
    );
  }
}
