import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCommand } from "../process/command.ts";
import { processAlive } from "../process/liveness.ts";
import { eventually } from "../wait/eventually.ts";
import { cacheRoot } from "./kind.ts";

/**
 * The fault ledger: every fault that reaches beyond a scenario's namespace (a stopped node, a paused container, a
 * moved static-pod manifest, an iptables rule in a node) is written to disk *before* it is applied, with the
 * `docker` command that undoes it. A namespace dies with the scenario, but these would outlive a crashed or
 * interrupted run, so whoever comes next — the scenario's own cleanup, the run's Ctrl-C handler (which only the
 * main thread receives), the next run's sweep, or `cluster up` — can put the cluster back together.
 */
export const ledgerDir = join(cacheRoot, "state", "faults");

export interface LedgerEntry {
  readonly id: string;
  /** PID of the run that applied the fault (`kubequake run`, or the cucumber process). */
  readonly ownerPid: number;
  readonly description: string;
  /**
   * The kind cluster whose containers the undo acts on, so a sweep undoes only its own cluster's faults (a run on
   * another cluster never undoes into this one, nor fails on a cluster deleted since). Entries from before it was
   * recorded have none: they were the kubequake cluster's.
   */
  readonly cluster?: string;
  /** Arguments of the `docker` command that undoes the fault; running it twice must be harmless. */
  readonly undo: readonly string[];
  /** Docker's error when there is nothing to undo (e.g. "is not paused"): the undo then counts as done. */
  readonly alreadyUndone?: string;
  /** False while the fault is being applied: an undo must wait for it, or the fault would land after the undo. */
  readonly applied: boolean;
  readonly appliedAtUnixMs: number;
}

let sequence = 0;

/** Records a fault before it is applied; returns the entry to settle after the undo ran. */
export function recordFault(
  ownerPid: number,
  description: string,
  undo: readonly string[],
  alreadyUndone?: string,
  cluster?: string,
): LedgerEntry {
  mkdirSync(ledgerDir, { recursive: true });
  sequence += 1;
  // Time first, so that sorting file names sorts faults by when they were applied.
  const id = `${Date.now().toString().padStart(15, "0")}-${ownerPid}-${process.pid}-${sequence}`;
  const entry: LedgerEntry = {
    id,
    ownerPid,
    description,
    cluster,
    undo,
    alreadyUndone,
    applied: false,
    appliedAtUnixMs: Date.now(),
  };
  writeFileSync(join(ledgerDir, `${id}.json`), JSON.stringify(entry));
  return entry;
}

/** Marks a fault as fully applied (its command returned), so an undo no longer has to wait for it. */
export function markApplied(entry: LedgerEntry): LedgerEntry {
  const applied = { ...entry, applied: true, appliedAtUnixMs: Date.now() };
  writeFileSync(join(ledgerDir, `${entry.id}.json`), JSON.stringify(applied));
  return applied;
}

/** Forgets a fault whose undo has run. */
export function settleFault(entry: LedgerEntry): void {
  rmSync(join(ledgerDir, `${entry.id}.json`), { force: true });
}

/** Whether a ledger entry is a fault of the kind cluster `cluster` (entries without one were kubequake's own). */
export function faultOfCluster(entry: LedgerEntry, cluster: string): boolean {
  return (entry.cluster ?? "kubequake") === cluster;
}

/** Outstanding faults, oldest first. */
export function outstandingFaults(): LedgerEntry[] {
  let files: string[];
  try {
    files = readdirSync(ledgerDir).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  return files.sort().flatMap((file) => {
    try {
      return [JSON.parse(readFileSync(join(ledgerDir, file), "utf8")) as LedgerEntry];
    } catch {
      return [];
    }
  });
}

/** Runs the undo of one fault and settles it; throws with the fault's description when the undo fails. */
export async function undoFault(entry: LedgerEntry): Promise<void> {
  const result = await runCommand("docker", entry.undo, { allowFailure: true, timeoutMs: 120_000 });
  const nothingToUndo = entry.alreadyUndone !== undefined && result.stderr.includes(entry.alreadyUndone);
  if (result.exitCode !== 0 && !nothingToUndo) {
    throw new Error(
      `undoing "${entry.description}" failed: docker ${entry.undo.join(" ")} exited ${result.exitCode}: ${result.stderr.trim().slice(0, 300)}`,
    );
  }
  settleFault(entry);
}

/**
 * Undoes outstanding faults, newest first, that `owned` selects (e.g. one run's, or those of runs that are gone).
 * Every undo is attempted; the failures are returned, never dropped.
 */
export async function undoOutstandingFaults(
  owned: (entry: LedgerEntry) => boolean,
): Promise<{ undone: LedgerEntry[]; failed: Error[] }> {
  const undone: LedgerEntry[] = [];
  const failed: Error[] = [];
  await waitWhileApplying(owned);
  for (const entry of outstandingFaults().filter(owned).reverse()) {
    try {
      await undoFault(entry);
      undone.push(entry);
    } catch (error) {
      failed.push(error instanceof Error ? error : new Error(String(error)));
    }
  }
  return { undone, failed };
}

/**
 * Waits (at most 60 s) until no selected fault is still being applied by a live process: a `docker pause` that is
 * still running when Ctrl-C arrives would otherwise pause the node after its undo ran.
 */
async function waitWhileApplying(owned: (entry: LedgerEntry) => boolean): Promise<void> {
  await eventually(
    "faults being applied have landed",
    async () => {
      const applying = outstandingFaults().filter((e) => owned(e) && !e.applied && processAlive(e.ownerPid));
      return { satisfied: applying.length === 0, value: applying.map((e) => e.description) };
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  ).catch(() => undefined); // undo what can be undone even so: a fault that never lands is reported by its undo
}
