import type { Kube } from "../kube/client.ts";
import { ScenarioNamespace } from "../kube/namespace.ts";

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
 * When a slot's teardown runs at cleanup. "restore" runs first: it puts back what the scenario broke beyond its own
 * objects (chaos faults: a stopped node, kube-proxy removed), so the cluster is whole before anything is stopped or
 * deleted — a namespace cannot even be deleted while the API server is parked. "release" follows: watches, loads and
 * containers the scenario started. The namespace goes last, after every slot.
 */
export type CleanupPhase = "restore" | "release";

/** The cleanup phases in the order they run. */
const cleanupPhases: readonly CleanupPhase[] = ["restore", "release"];

/**
 * A kind of per-scenario state that a domain module keeps on the Scenario (the way a Playwright fixture is declared
 * once and made per test): made on first use by `create`, and, when it holds something on the cluster or the machine
 * (a watch, a container, a fault), undone by `teardown` at cleanup — by phase (see {@link CleanupPhase}), newest
 * first within a phase, even after a failed step. The module declares the slot as a constant; the Scenario holds the
 * values, so nothing per-scenario lives at module level, and the Scenario imports no domain.
 */
export interface Slot<T> {
  /** What the slot holds, for error messages ("outside containers"). */
  readonly name: string;
  create(scenario: ScenarioContext): T;
  teardown?(value: T, scenario: ScenarioContext): Promise<void>;
  /** When the teardown runs at cleanup; "release" unless said otherwise. */
  readonly phase: CleanupPhase;
}

/** Declares a slot (see {@link Slot}). */
export function defineSlot<T>(
  name: string,
  create: (scenario: ScenarioContext) => T,
  teardown?: (value: T, scenario: ScenarioContext) => Promise<void>,
  options: { readonly phase?: CleanupPhase } = {},
): Slot<T> {
  const phase = options.phase ?? "release";
  return teardown ? { name, create, teardown, phase } : { name, create, phase };
}

/** Where the scenario comes from, as Cucumber knows it; empty for runs without Cucumber (the benchmarks). */
export interface ScenarioOrigin {
  /** The scenario's title, for report titles. */
  readonly title: string;
  /** Its tags ("@serial"), for steps whose safety depends on them. */
  readonly tags: readonly string[];
}

/**
 * One scenario, in one place: its namespace and tracked objects, client pods, its action log, a transcript of every
 * probe for the failure diagnostics, its report, and the slots (see {@link Slot}) in which each domain keeps the rest
 * of its per-scenario state (the chaos undo log, the Services it watches, its last traffic…). Steps and the domain
 * library take this and nothing else.
 */
export class ScenarioContext {
  readonly kube: Kube;
  readonly namespace: ScenarioNamespace;
  readonly image: string;
  /** CIDRs the scenario's clients may connect to (see kube/networks.ts). */
  readonly allowedNetworks: string;
  readonly transcript: string[] = [];
  /** Every action of the scenario, oldest first (the chaos timeline reads them too). */
  readonly actions: Action[] = [];
  readonly #report: ScenarioReport;
  readonly title: string;
  readonly tags: readonly string[];
  /**
   * "features/x.feature:12" of the running step (of its docstring's first line when it has one), for error messages
   * about inline manifests and patches; set by the runner before each step.
   */
  source = "";
  readonly #slots = new Map<Slot<unknown>, unknown>();
  /** The teardowns of the slots made so far, oldest first, each with its phase. */
  readonly #teardowns: { readonly phase: CleanupPhase; readonly run: () => Promise<void> }[] = [];

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

  /**
   * The value of `slot` for this scenario, made on first use; its teardown then runs at cleanup, in its phase,
   * newest first.
   */
  slot<T>(slot: Slot<T>): T {
    if (this.#slots.has(slot)) return this.#slots.get(slot) as T;
    const value = slot.create(this);
    this.#slots.set(slot, value);
    const { teardown, phase } = slot;
    if (teardown) this.#teardowns.push({ phase, run: () => teardown(value, this) });
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
    this.transcript.push(
      `${new Date(action.atUnixMs).toISOString()} action: ${description}${pods.length ? ` (${pods.join(", ")})` : ""}`,
    );
    return action;
  }

  note(line: string): void {
    this.transcript.push(`${new Date().toISOString()} ${line}`);
  }

  /**
   * Tears down every slot, phase by phase (chaos undone first: see {@link CleanupPhase}) and newest first within a
   * phase, then deletes the namespace; every teardown is attempted and every failure reported together.
   */
  async cleanup(): Promise<void> {
    const errors: unknown[] = [];
    const teardowns = this.#teardowns.splice(0).reverse();
    for (const phase of cleanupPhases) {
      for (const teardown of teardowns.filter((t) => t.phase === phase)) {
        await teardown.run().catch((error) => errors.push(error));
      }
    }
    await this.namespace.cleanup().catch((error) => errors.push(error));
    if (errors.length > 0) {
      // The messages go in the error's own: reports show an error's message and stack, not an AggregateError's parts.
      const why = errors.map((error) => (error instanceof Error ? error.message : String(error))).join("; ");
      throw new AggregateError(errors, `cleanup of ${this.name} failed: ${why}`);
    }
  }
}
