import { type LedgerEntry, markApplied, recordFault, settleFault } from "../cluster/fault-ledger.ts";

/** Something chaos did or undid, stamped when the cluster accepted it (the API answered, docker returned). */
export interface ChaosEvent {
  readonly atUnixMs: number;
  readonly label: string;
  readonly kind: "chaos" | "undo" | "note";
  /** Pods the event acted on (killed, restarted), so traffic can be checked against them. */
  readonly pods: readonly string[];
}

interface Undo {
  readonly description: string;
  readonly run: () => Promise<void>;
  ledger: LedgerEntry | undefined;
}

/**
 * One scenario's chaos: a timeline of events (for the report's chart and the traffic checks) and an undo log run
 * in reverse at the end of the scenario, after a failed step too. The scenario's action log (`recordAction`) adds
 * each applied fault to the timeline, stamped when the cluster accepted it. Faults beyond the namespace are also written to
 * the on-disk fault ledger before they are applied, so an interrupted run can still be undone by someone else.
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
   * it) is written to the fault ledger first, for faults that outlive the namespace; `undo` is the in-process undo,
   * which may also wait until the cluster has recovered.
   */
  async apply(
    label: string,
    fault: () => Promise<void>,
    undo: () => Promise<void>,
    dockerUndo?: { readonly command: readonly string[]; readonly alreadyUndone?: string },
  ): Promise<void> {
    const ledger = dockerUndo
      ? recordFault(this.#ownerPid, label, dockerUndo.command, dockerUndo.alreadyUndone)
      : undefined;
    const entry = { description: label, run: undo, ledger };
    this.#undos.push(entry);
    await fault();
    if (ledger) entry.ledger = markApplied(ledger);
  }

  /** Faults applied and not undone yet, oldest first. */
  get pending(): readonly string[] {
    return this.#undos.map((u) => u.description);
  }

  /** Undoes the newest pending fault now (a fault with a stated duration ends itself this way). */
  async undoLatest(): Promise<void> {
    const undo = this.#undos.pop();
    if (!undo) return;
    await undo.run();
    if (undo.ledger) settleFault(undo.ledger);
    this.note(`undo: ${undo.description}`, "undo");
  }

  /**
   * Runs every pending undo, newest first; each is attempted even when an earlier one failed, and every failure
   * is reported together (an undo that failed is never forgotten: its ledger entry stays for the next sweep).
   */
  async undoAll(): Promise<void> {
    const errors: Error[] = [];
    for (const undo of this.#undos.splice(0).reverse()) {
      try {
        await undo.run();
        if (undo.ledger) settleFault(undo.ledger);
        this.note(`undo: ${undo.description}`, "undo");
      } catch (error) {
        errors.push(
          new Error(`undo of "${undo.description}" failed: ${error instanceof Error ? error.message : String(error)}`),
        );
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} chaos undo(s) failed`);
  }
}
