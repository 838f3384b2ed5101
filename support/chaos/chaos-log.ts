import { type LedgerEntry, markApplied, recordFault, settleFault } from "../cluster/fault-ledger.ts";

/** Something chaos did or undid, stamped when the cluster accepted it (the API answered, docker returned). */
export interface ChaosEvent {
  readonly atUnixMs: number;
  readonly label: string;
  readonly kind: "chaos" | "undo" | "note";
  /** Pods the event acted on (killed, restarted), so traffic can be checked against them. */
  readonly pods: readonly string[];
  /** A fault that stays until it is undone (a stopped node, a burning CPU), not a one-off action such as a kill. */
  readonly fault?: boolean;
  /** The event killed its pods (deleted, force-deleted or SIGKILLed in place), not another change to them. */
  readonly killed?: boolean;
}

/**
 * A change to the cluster in two parts: the call that makes it (a docker command, an API request), stamped the moment
 * it returns, and the wait for its effect, which runs after the stamp. Keeping them apart is what keeps recovery
 * figures honest: a stamp taken after the wait would hide the time the wait took.
 */
export interface Change {
  /** Makes the change; returns once docker or the API accepted it. */
  readonly make: () => Promise<void>;
  /** Waits until the change has taken effect (the cluster is whole again, pods are gone, ...). */
  readonly settle?: () => Promise<void>;
}

interface Undo {
  readonly description: string;
  readonly change: Change;
  ledger: LedgerEntry | undefined;
}

/** Told the moment an undo's change returned (before its settle wait), with the undone fault's description. */
export type UndoneHook = (description: string) => void;

/**
 * One scenario's chaos: a timeline of events (for the report's chart and the traffic checks) and an undo log run
 * in reverse at the end of the scenario, after a failed step too. Every change is stamped when its call returned,
 * before any wait for its effect (see {@link Change}); the scenario's action log (`recordAction`, through the hooks)
 * puts those stamps on the timeline. Faults beyond the namespace are also written to the on-disk fault ledger before
 * they are applied, so an interrupted run can still be undone by someone else.
 */
export class ChaosLog {
  readonly events: ChaosEvent[] = [];
  readonly #undos: Undo[] = [];
  readonly #ownerPid: number;

  constructor(ownerPid: number) {
    this.#ownerPid = ownerPid;
  }

  /** Notes an event that needs no undo (a pod deletion: the workload's controller replaces the pod). */
  note(label: string, kind: ChaosEvent["kind"] = "chaos", pods: readonly string[] = []): ChaosEvent {
    const event = { atUnixMs: Date.now(), label, kind, pods };
    this.events.push(event);
    return event;
  }

  /**
   * Applies a fault whose undo must run at the end of the scenario. `dockerUndo` (the `docker` arguments that undo
   * it) is written to the fault ledger first, for faults that outlive the namespace. `applied` is called the moment
   * the fault's change returned, before its settle wait.
   */
  async apply(
    label: string,
    fault: Change,
    undo: Change,
    options: {
      readonly dockerUndo?: {
        readonly command: readonly string[];
        readonly alreadyUndone?: string;
        /** The kind cluster whose containers the command acts on (see LedgerEntry.cluster). */
        readonly cluster?: string;
      };
      readonly applied?: () => void;
    } = {},
  ): Promise<void> {
    const { dockerUndo } = options;
    const ledger = dockerUndo
      ? recordFault(this.#ownerPid, label, dockerUndo.command, dockerUndo.alreadyUndone, dockerUndo.cluster)
      : undefined;
    const entry: Undo = { description: label, change: undo, ledger };
    this.#undos.push(entry);
    await fault.make();
    options.applied?.();
    if (ledger) entry.ledger = markApplied(ledger);
    await fault.settle?.();
  }

  /** Faults applied and not undone yet, oldest first. */
  get pending(): readonly string[] {
    return this.#undos.map((u) => u.description);
  }

  /** Undoes the newest pending fault now (a fault with a stated duration ends itself this way). */
  async undoLatest(undone: UndoneHook = (d) => this.note(`undo: ${d}`, "undo")): Promise<void> {
    const undo = this.#undos.pop();
    if (!undo) return;
    await undo.change.make();
    undone(undo.description);
    if (undo.ledger) settleFault(undo.ledger);
    await undo.change.settle?.();
  }

  /**
   * Runs every pending undo, newest first, then every undo's settle wait: the cluster recovers from all of them at
   * once, and each undo is stamped (`undone`) when its own change returned. Each is attempted even when an earlier
   * one failed, and every failure is reported together (an undo that failed is never forgotten: its ledger entry
   * stays for the next sweep).
   */
  async undoAll(undone: UndoneHook = (d) => this.note(`undo: ${d}`, "undo")): Promise<void> {
    const errors: Error[] = [];
    const made: Undo[] = [];
    for (const undo of this.#undos.splice(0).reverse()) {
      try {
        await undo.change.make();
        undone(undo.description);
        if (undo.ledger) settleFault(undo.ledger);
        made.push(undo);
      } catch (error) {
        errors.push(failedUndo(undo, error));
      }
    }
    for (const undo of made) {
      try {
        await undo.change.settle?.();
      } catch (error) {
        errors.push(failedUndo(undo, error));
      }
    }
    // Each failure in the message too: a report prints an AggregateError's message and stack, not its errors.
    if (errors.length > 0)
      throw new AggregateError(
        errors,
        `${errors.length} chaos undo(s) failed: ${errors.map((e) => e.message).join("; ")}`,
      );
  }
}

function failedUndo(undo: Undo, error: unknown): Error {
  return new Error(`undo of "${undo.description}" failed: ${error instanceof Error ? error.message : String(error)}`);
}
