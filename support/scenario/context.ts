import { type Change, ChaosLog } from "../chaos/chaos-log.ts";
import type { SteadyState } from "../chaos/steady-state.ts";
import type { SteadyTrafficState } from "../chaos/steady-traffic.ts";
import type { EndpointWatcher } from "../endpoints/watcher.ts";
import { UserError } from "../errors/user-error.ts";
import type { Kube } from "../kube/client.ts";
import { runOwnerPid, ScenarioNamespace } from "../kube/namespace.ts";
import type { TrafficResult } from "../traffic/client.ts";

/** The demo image and the networks its clients may reach, shared by every scenario of a run. */
export interface DemoWorkload {
  readonly image: string;
  readonly allowedNetworks: string;
}

/** Where a scenario's evidence goes: the running scenario's report (Cucumber's attach, handed over by the World). */
export interface ScenarioReport {
  attachText(name: string, text: string): Promise<void>;
  attachFile(name: string, data: Buffer | string, mediaType: string): Promise<void>;
}

/** For runs without a report (the benchmarks): evidence is dropped, everything else behaves the same. */
export const noReport: ScenarioReport = {
  attachText: async () => {},
  attachFile: async () => {},
};

/** Something a scenario did to the cluster, so waits can report how long the cluster took to follow. */
export interface Action {
  /** What happened to `pods`, for steps that refer back to them ("the killed pod"). */
  readonly kind:
    | "killed"
    | "force-deleted"
    | "unready"
    | "ready"
    | "scaled"
    | "affinity"
    | "applied"
    | "patched"
    | "deleted"
    | "fault"
    | "undone";
  readonly description: string;
  /**
   * When the API accepted the action: stamped right after the call that made it returned (for several pods, after
   * the last one). One rule for every action, so times measured from it compare across kinds of action.
   */
  readonly atUnixMs: number;
  /** Pods the action acted on (killed, made unready), by name. */
  readonly pods: readonly string[];
  /** The backend or Service acted on, when there is one ("web"), so later steps can check they mean the same. */
  readonly target?: string;
}

/**
 * "1.234 s after: <action>", or for a change seen before the action was stamped "-0.120 s after: <action> (the change
 * was seen before the action was recorded)". Never clamped: a negative time is evidence (the change arrived while
 * the API call was still returning, or the stamp is late), and hiding it as 0 would make it look instant.
 */
export function describeAfterAction(ms: number, action: string): string {
  const seconds = `${(ms / 1000).toFixed(3)} s`;
  return ms < 0
    ? `${seconds} after: ${action} (the change was seen before the action was recorded)`
    : `${seconds} after: ${action}`;
}

/**
 * A kind of per-scenario state that a domain module keeps on the Scenario (the way a Playwright fixture is declared
 * once and made per test): made on first use by `create`, and, when it holds something on the cluster or the machine
 * (a watch, a container), undone by `teardown` at cleanup, newest first, even after a failed step. The module declares
 * the slot as a constant; the Scenario holds the values, so nothing per-scenario lives at module level.
 */
export interface Slot<T> {
  /** What the slot holds, for error messages ("outside containers"). */
  readonly name: string;
  create(scenario: ScenarioContext): T;
  teardown?(value: T, scenario: ScenarioContext): Promise<void>;
}

/** Declares a slot (see {@link Slot}). */
export function defineSlot<T>(
  name: string,
  create: (scenario: ScenarioContext) => T,
  teardown?: (value: T, scenario: ScenarioContext) => Promise<void>,
): Slot<T> {
  return teardown ? { name, create, teardown } : { name, create };
}

/** Where the scenario comes from, as Cucumber knows it; empty for runs without Cucumber (the benchmarks). */
export interface ScenarioOrigin {
  /** The scenario's title, for report titles. */
  readonly title: string;
  /** Its tags ("@serial"), for steps whose safety depends on them. */
  readonly tags: readonly string[];
}

/**
 * One scenario, in one place: what it owns on the cluster (its namespace and tracked objects, client pods, the
 * Services it watches), its action log and chaos undo log, its last results, a transcript of every probe for the
 * failure diagnostics, and its report. Steps and the domain library take this and nothing else.
 */
export class ScenarioContext {
  readonly kube: Kube;
  readonly namespace: ScenarioNamespace;
  readonly image: string;
  /** CIDRs the scenario's clients may connect to (see kube/networks.ts). */
  readonly allowedNetworks: string;
  readonly transcript: string[] = [];
  /** Every action of the scenario, oldest first. */
  readonly actions: Action[] = [];
  /** Chaos events and the undo log; undone first at cleanup, so the cluster is whole before anything is deleted. */
  readonly chaos = new ChaosLog(runOwnerPid());
  /** The scenario's steady-state hypothesis, checked before the chaos and after the undo. */
  steadyState: SteadyState | undefined;
  /** The scenario's background load, while it runs and after it stopped. */
  steadyTraffic: SteadyTrafficState | undefined;
  readonly onCleanup: (() => Promise<void>)[] = [];
  /** The EndpointSlice watch of each Service the scenario made, by Service name, for timing endpoint changes. */
  readonly #watchers = new Map<string, EndpointWatcher>();
  /** The last traffic sent, one entry per client, for `Then` steps about "the requests". */
  lastTraffic: TrafficResult[] = [];
  readonly #report: ScenarioReport;
  readonly title: string;
  readonly tags: readonly string[];
  /**
   * "features/x.feature:12" of the running step (of its docstring's first line when it has one), for error messages
   * about inline manifests and patches; set by the runner before each step.
   */
  source = "";
  readonly #slots = new Map<Slot<unknown>, unknown>();

  private constructor(
    kube: Kube,
    namespace: ScenarioNamespace,
    workload: DemoWorkload,
    report: ScenarioReport,
    origin: ScenarioOrigin,
  ) {
    this.kube = kube;
    this.namespace = namespace;
    this.image = workload.image;
    this.allowedNetworks = workload.allowedNetworks;
    this.#report = report;
    this.title = origin.title;
    this.tags = origin.tags;
  }

  /** The value of `slot` for this scenario, made on first use; its teardown then runs at cleanup, newest first. */
  slot<T>(slot: Slot<T>): T {
    if (this.#slots.has(slot)) return this.#slots.get(slot) as T;
    const value = slot.create(this);
    this.#slots.set(slot, value);
    const { teardown } = slot;
    if (teardown) this.onCleanup.push(() => teardown(value, this));
    return value;
  }

  /** The value of `slot` if a step made it, without making it. */
  peek<T>(slot: Slot<T>): T | undefined {
    return this.#slots.get(slot) as T | undefined;
  }

  /**
   * Creates the scenario's namespace. `ids.key` makes the name unique per pickle (and per attempt): Scenario Outline
   * rows share a name, so the key must tell them apart; without one a random key is used.
   */
  static async start(
    kube: Kube,
    workload: DemoWorkload,
    ids: { run: string; worker: string; scenario: string; key?: string },
    report: ScenarioReport = noReport,
    tags: readonly string[] = [],
  ) {
    const namespace = await ScenarioNamespace.create(kube, ids.run, ids.worker, ids.scenario, ids.key);
    return new ScenarioContext(kube, namespace, workload, report, { title: ids.scenario, tags });
  }

  get name(): string {
    return this.namespace.name;
  }

  /** Keeps the EndpointSlice watch of a Service this scenario made (replacing an earlier one of the same name). */
  watch(service: string, watcher: EndpointWatcher): void {
    this.#watchers.set(service, watcher);
  }

  /** The watch of a Service this scenario made; a clear error for any other name. */
  watcher(service: string): EndpointWatcher {
    const watcher = this.#watchers.get(service);
    if (!watcher) {
      const known = [...this.#watchers.keys()];
      throw new UserError(
        `the Service "${service}" was not made by this scenario, so kubequake does not watch its endpoints (Services of this scenario: ${known.join(", ") || "none yet"})`,
        known.length > 0
          ? "use one of the names above, or create the Service first in this scenario."
          : `create it first, e.g. Given the demo backend runs 2 replicas behind the ClusterIP Service "${service}".`,
      );
    }
    return watcher;
  }

  /** Names of the Services this scenario watches. */
  get watchedServices(): string[] {
    return [...this.#watchers.keys()];
  }

  attachText(name: string, text: string): Promise<void> {
    return this.#report.attachText(name, text);
  }

  attachFile(name: string, data: Buffer | string, mediaType: string): Promise<void> {
    return this.#report.attachFile(name, data, mediaType);
  }

  /** The newest action, which waits measure from; undefined before the first. */
  get lastAction(): Action | undefined {
    return this.actions.at(-1);
  }

  /** The newest action of one of `kinds` (e.g. the last "unready" or "ready"), however many others came after it. */
  lastActionOf(...kinds: Action["kind"][]): Action | undefined {
    return this.actions.findLast((action) => kinds.includes(action.kind));
  }

  /**
   * Records an action, stamped now: call it right after the API call (or docker command) that made the change
   * returned — the moment it was accepted — and before any wait for its effect, never before the call, so every kind
   * of action is timed by the same rule and waits and recovery figures measure from the change, not from its end.
   */
  recordAction(kind: Action["kind"], description: string, pods: readonly string[] = [], target?: string): Action {
    const action: Action = { kind, description, atUnixMs: Date.now(), pods, ...(target ? { target } : {}) };
    this.actions.push(action);
    // Every action is a point on the chaos timeline too, so the traffic chart and checks see it.
    this.chaos.note(description, kind === "undone" ? "undo" : "chaos", pods);
    this.transcript.push(
      `${new Date(action.atUnixMs).toISOString()} action: ${description}${pods.length ? ` (${pods.join(", ")})` : ""}`,
    );
    return action;
  }

  /**
   * Applies a fault through the chaos log (its undo kept for the end of the scenario) and records it as an action
   * the moment its change returned, before `fault.settle` waits for its effect.
   */
  async applyFault(
    label: string,
    fault: Change,
    undo: Change,
    options: { pods?: readonly string[]; dockerUndo?: { command: readonly string[]; alreadyUndone?: string } } = {},
  ): Promise<void> {
    await this.chaos.apply(label, fault, undo, {
      dockerUndo: options.dockerUndo,
      applied: () => this.recordAction("fault", label, options.pods),
    });
  }

  /**
   * Undoes every pending fault now, newest first, each recorded as an "undone" action the moment its undo returned;
   * then waits for the cluster to recover from them all. Waits after it measure from the last undo, not from the end
   * of the recovery.
   */
  undoFaults(): Promise<void> {
    return this.chaos.undoAll((description) => this.recordAction("undone", `undone: ${description}`));
  }

  /** As {@link undoFaults}, for the newest pending fault only (a fault with a stated duration ends itself so). */
  undoLatestFault(): Promise<void> {
    return this.chaos.undoLatest((description) => this.recordAction("undone", `undone: ${description}`));
  }

  note(line: string): void {
    this.transcript.push(`${new Date().toISOString()} ${line}`);
  }

  async cleanup(): Promise<void> {
    const errors: unknown[] = [];
    await this.undoFaults().catch((error) => errors.push(error));
    for (const stop of this.onCleanup.splice(0).reverse()) await stop().catch((error) => errors.push(error));
    await this.namespace.cleanup().catch((error) => errors.push(error));
    if (errors.length > 0) throw new AggregateError(errors, `cleanup of ${this.name} failed`);
  }
}
