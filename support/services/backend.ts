import type { KubernetesObject } from "@kubernetes/client-node";
import { nodeContainerOf } from "../chaos/targets.ts";
import { UserError } from "../errors/user-error.ts";
import { killMainProcess } from "../kube/container-process.ts";
import { deletePod, listPods, longestReadyFirst, type PodSummary } from "../kube/pods.ts";
import { checkReplicas } from "../kube/workloads.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";
import { requirePodCount } from "./pod-counts.ts";
import { setPodReadiness, unreadyAction } from "./readiness.ts";

/** How a pod is killed: deleted with its grace period, deleted at once, or its main process SIGKILLed in place. */
export type PodKill = "graceful" | "force" | "sigkill";

/** What runs a backend's pods: a Deployment or StatefulSet of the backend's name, or pods a manifest made. */
export type BackendWorkload = "Deployment" | "StatefulSet" | "pods";

/**
 * A backend of the scenario: the pods labelled app=<name>, and the Deployment or StatefulSet that runs them (the demo
 * backend, or a workload a manifest made). The step that makes it registers it (see {@link registerBackend}); the
 * {backend} parameter type finds it there, without asking the API server, so a typo is answered with the backends
 * there are before the step acts.
 */
export class Backend {
  readonly scenario: ScenarioContext;
  readonly name: string;
  readonly workload: BackendWorkload;
  /** Pods SIGKILLed in place, with their container's restart count just before: what a restart is measured against. */
  private readonly sigkilled = new Map<string, number>();

  constructor(scenario: ScenarioContext, name: string, workload: BackendWorkload) {
    this.scenario = scenario;
    this.name = name;
    this.workload = workload;
  }

  /** The backend `name` of the scenario, from its registry (no API call); a UserError naming its backends otherwise. */
  static resolve(scenario: ScenarioContext, name: string): Backend {
    const backend = scenario.slot(backendsSlot).get(name);
    if (backend) return backend;
    const known = [...scenario.slot(backendsSlot).keys()].sort();
    throw new UserError(
      `there is no backend "${name}" in this scenario: it made no Deployment or StatefulSet of that name and no pod labelled app=${name} (backends here: ${known.join(", ") || "none yet"})`,
      known.length > 0
        ? `use one of the names above, or deploy it first, e.g. Given the demo backend runs 2 replicas behind the ClusterIP Service "${name}".`
        : `deploy it first, e.g. Given the demo backend runs 2 replicas behind the ClusterIP Service "${name}".`,
    );
  }

  /** Pods of the backend (label app=<name>), sorted by name. */
  pods(): Promise<PodSummary[]> {
    return listPods(this.scenario.kube, this.scenario.name, { app: this.name });
  }

  /** Ready pods of the backend that are not terminating, sorted by name. */
  async readyPods(): Promise<PodSummary[]> {
    return (await this.pods()).filter((p) => p.ready && !p.terminating);
  }

  /** The names of {@link readyPods}. */
  async readyPodNames(): Promise<string[]> {
    return (await this.readyPods()).map((p) => p.name);
  }

  /**
   * Refuses, before anything is done, to `action` (e.g. "kill") fewer than 1 pod or more pods than are ready now,
   * naming both counts. The actions below check this themselves; a schedule of actions calls it before its first.
   */
  async requireReadyPods(count: number, action: string): Promise<void> {
    requirePodCount(count, await this.readyPodNames(), action, this.name);
  }

  /**
   * Kills `count` ready pods (the longest ready first, then by name: see {@link longestReadyFirst}): deleted with
   * their grace period, deleted with grace period 0, or their main process SIGKILLed in place (the pod stays and the
   * kubelet restarts the container). The action is stamped right after the last API call (or docker command)
   * returned. The one pod kill of kubequake: the kill steps and the chaos steps (SIGKILL, kills on a schedule) both
   * use it.
   */
  async kill(count: number, how: PodKill): Promise<PodSummary[]> {
    const candidates = longestReadyFirst(await this.readyPods());
    const verb = how === "graceful" ? "kill" : how === "force" ? "force-delete" : "SIGKILL";
    requirePodCount(
      count,
      candidates.map((p) => p.name),
      verb,
      this.name,
    );
    const victims = candidates.slice(0, count);
    if (how === "sigkill") for (const pod of victims) this.sigkilled.set(pod.name, pod.restarts);
    const { kube, name: namespace } = this.scenario;
    await Promise.all(
      victims.map((pod) =>
        how === "sigkill"
          ? killMainProcess(kube, (node) => nodeContainerOf(this.scenario, node), namespace, pod.name)
          : deletePod(kube, namespace, pod.name, how),
      ),
    );
    const names = victims.map((p) => p.name);
    const done = how === "graceful" ? "killed" : how === "force" ? "force-deleted" : "SIGKILLed";
    // A SIGKILLed pod counts as killed for the steps about "the killed pods" (it leaves the endpoints until restarted).
    this.scenario.recordAction(
      how === "force" ? "force-deleted" : "killed",
      `${names.join(", ")} of ${this.name} ${done}`,
      names,
      this.name,
    );
    return victims;
  }

  /** Sets the replica count of the backend's Deployment or StatefulSet. */
  async scale(replicas: number): Promise<void> {
    checkReplicas(this.name, replicas);
    const patch = [{ op: "replace", path: "/spec/replicas", value: replicas }];
    const request = { name: this.name, namespace: this.scenario.name, body: patch };
    if (this.workload === "StatefulSet") await this.scenario.kube.apps.patchNamespacedStatefulSet(request);
    else await this.scenario.kube.apps.patchNamespacedDeployment(request);
    this.scenario.recordAction("scaled", `${this.name} scaled to ${replicas} replicas`, [], this.name);
  }

  /** Makes `count` ready pods unready (through the demo's admin endpoint; they keep running); returns them. */
  async turnUnready(count: number): Promise<PodSummary[]> {
    const ready = await this.readyPods();
    requirePodCount(
      count,
      ready.map((p) => p.name),
      "make unready",
      this.name,
    );
    const candidates = ready.slice(0, count);
    for (const pod of candidates) await setPodReadiness(this.scenario, pod.name, false);
    this.scenario.recordAction(
      "unready",
      `${count} pod(s) of ${this.name} turned unready`,
      candidates.map((p) => p.name),
      this.name,
    );
    return candidates;
  }

  /**
   * Waits until every pod SIGKILLed in place runs again: the same pod (not a replacement), its container's restart
   * count above what it was before the kill, and ready. Fails clearly when no pod of the backend was SIGKILLed.
   * Returns what it saw, with how long the wait took.
   */
  async expectSigkilledPodsRestarted(seconds: number): Promise<string> {
    if (this.sigkilled.size === 0) {
      throw new UserError(
        `no pod of ${this.name} was SIGKILLed in this scenario, so there is no restart to check`,
        `SIGKILL one first: When 1 pod of "${this.name}" is SIGKILLed.`,
      );
    }
    const expected = [...this.sigkilled.keys()].join(", ");
    const { value, elapsedMs } = await eventually(
      `the SIGKILLed pod(s) ${expected} of ${this.name} run again under the same name, their container restarted by the kubelet, and ready`,
      async () => {
        const pods = new Map((await this.pods()).map((p) => [p.name, p]));
        const states = [...this.sigkilled].map(([name, before]) => {
          const pod = pods.get(name);
          if (!pod || pod.terminating) return { ok: false, text: `${name}: ${pod ? "terminating" : "gone"}` };
          const restarted = pod.restarts > before;
          return {
            ok: restarted && pod.ready,
            text: `${name}: restarts ${before} → ${pod.restarts}, ${pod.ready ? "ready" : "not ready"}`,
          };
        });
        return { satisfied: states.every((s) => s.ok), value: states.map((s) => s.text).join("; ") };
      },
      { timeoutMs: seconds * 1000, intervalMs: 250 },
    );
    return `${value} (${(elapsedMs / 1000).toFixed(1)} s into the wait)`;
  }

  /**
   * Checks that the pods made unready (the newest "turned unready" action on this backend) were neither deleted nor
   * restarted into new pods: each is still Running and not terminating. Fails clearly when no pod was made unready.
   */
  async expectUnreadyPodsRunning(): Promise<void> {
    const { pods: unready } = unreadyAction(this.scenario, this.name);
    const running = (await this.pods()).filter((p) => p.phase === "Running" && !p.terminating);
    const gone = unready.filter((pod) => !running.some((p) => p.name === pod));
    if (gone.length > 0) {
      throw new Error(
        `expected the unready pod(s) ${unready.join(", ")} of ${this.name} to keep running, but ${gone.join(", ")} did not; running: ${running.map((p) => p.name).join(", ") || "none"}. Look at the pods' events in the diagnostics (a failing liveness probe or an eviction restarts or removes a pod).`,
      );
    }
  }
}

/** The scenario's backends by name, as the steps that made them registered them. */
const backendsSlot = defineSlot("backends", () => new Map<string, Backend>());

/**
 * Registers the backend `name` of the scenario (made by a step or a manifest) and returns its handle. A Deployment or
 * StatefulSet of that name wins over pods that merely carry app=<name>: it is what scaling the backend changes.
 */
export function registerBackend(scenario: ScenarioContext, name: string, workload: BackendWorkload): Backend {
  const backends = scenario.slot(backendsSlot);
  const known = backends.get(name);
  if (known && (known.workload === workload || workload === "pods")) return known;
  const backend = new Backend(scenario, name, workload);
  backends.set(name, backend);
  return backend;
}

/**
 * Registers the backends an applied object makes, so steps can name them as they name the demo backend's: a
 * Deployment or StatefulSet by its name, and the pods it (or a bare Pod, ReplicaSet, DaemonSet or Job) labels
 * app=<name> by that label.
 */
export function registerBackendsOf(scenario: ScenarioContext, object: KubernetesObject): void {
  const { kind, metadata } = object;
  if ((kind === "Deployment" || kind === "StatefulSet") && metadata?.name)
    registerBackend(scenario, metadata.name, kind);
  const spec = (object as { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }).spec;
  const app = kind === "Pod" ? metadata?.labels?.app : spec?.template?.metadata?.labels?.app;
  if (app) registerBackend(scenario, app, "pods");
}
