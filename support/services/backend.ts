import { UserError } from "../errors/user-error.ts";
import type { PodSummary } from "../kube/pods.ts";
import { listPods } from "../kube/pods.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import {
  backendPods,
  expectUnreadyPodsRunning,
  killBackendPods,
  makePodsUnready,
  readyPodsOf,
  scaleBackend,
} from "./backends.ts";
import { requirePodCount } from "./pod-counts.ts";

/**
 * A backend of the scenario, by name: the pods labelled app=<name> and the Deployment or StatefulSet that runs them
 * (the demo backend, or a workload a manifest made). Steps get one from the {backend} parameter type, which checks
 * the name before the step acts, so a typo is answered with the backends there are instead of acting on nothing.
 */
export class Backend {
  readonly scenario: ScenarioContext;
  readonly name: string;

  private constructor(scenario: ScenarioContext, name: string) {
    this.scenario = scenario;
    this.name = name;
  }

  /** The backend `name` of the scenario; a UserError naming the scenario's backends when there is none. */
  static async resolve(scenario: ScenarioContext, name: string): Promise<Backend> {
    const known = await backendNames(scenario);
    if (!known.includes(name)) {
      throw new UserError(
        `there is no backend "${name}" in this scenario: no Deployment or StatefulSet of that name and no pod labelled app=${name} (backends here: ${known.join(", ") || "none yet"})`,
        known.length > 0
          ? `use one of the names above, or deploy it first, e.g. Given the demo backend runs 2 replicas behind the ClusterIP Service "${name}".`
          : `deploy it first, e.g. Given the demo backend runs 2 replicas behind the ClusterIP Service "${name}".`,
      );
    }
    return new Backend(scenario, name);
  }

  pods(): Promise<PodSummary[]> {
    return backendPods(this.scenario, this.name);
  }

  readyPods(): Promise<PodSummary[]> {
    return readyPodsOf(this.scenario, this.name);
  }

  /**
   * Refuses, before anything is done, to `action` (e.g. "SIGKILL") fewer than 1 pod or more pods than are ready now,
   * naming both counts. The actions below check this themselves; chaos steps that act elsewhere call it first.
   */
  async requireReadyPods(count: number, action: string): Promise<void> {
    requirePodCount(
      count,
      (await this.readyPods()).map((p) => p.name),
      action,
      this.name,
    );
  }

  kill(count: number, mode: "graceful" | "force"): Promise<PodSummary[]> {
    return killBackendPods(this.scenario, this.name, count, mode);
  }

  scale(replicas: number): Promise<void> {
    return scaleBackend(this.scenario, this.name, replicas);
  }

  turnUnready(count: number): Promise<PodSummary[]> {
    return makePodsUnready(this.scenario, this.name, count);
  }

  expectUnreadyPodsRunning(): Promise<void> {
    return expectUnreadyPodsRunning(this.scenario, this.name);
  }
}

/** The scenario's Deployments and StatefulSets, and the app labels of its pods (client pods excepted), sorted. */
async function backendNames(scenario: ScenarioContext): Promise<string[]> {
  const namespace = scenario.name;
  const [deployments, statefulSets, pods] = await Promise.all([
    scenario.kube.apps.listNamespacedDeployment({ namespace }),
    scenario.kube.apps.listNamespacedStatefulSet({ namespace }),
    listPods(scenario.kube, namespace, {}),
  ]);
  const names = new Set<string>();
  for (const workload of [...deployments.items, ...statefulSets.items]) {
    if (workload.metadata?.name) names.add(workload.metadata.name);
  }
  for (const pod of pods) if (pod.labels.app) names.add(pod.labels.app);
  return [...names].sort();
}
