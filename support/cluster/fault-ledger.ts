import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCommand } from "../process/command.ts";
import { cacheRoot } from "./cache.ts";

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
  /** Arguments of the `docker` command that undoes the fault; running it twice must be harmless. */
  readonly undo: readonly string[];
  readonly appliedAtUnixMs: number;
}

let sequence = 0;

/** Records a fault before it is applied; returns the entry to settle after the undo ran. */
export function recordFault(ownerPid: number, description: string, undo: readonly string[]): LedgerEntry {
  mkdirSync(ledgerDir, { recursive: true });
  sequence += 1;
  // Time first, so that sorting file names sorts faults by when they were applied.
  const id = `${Date.now().toString().padStart(15, "0")}-${ownerPid}-${process.pid}-${sequence}`;
  const entry: LedgerEntry = { id, ownerPid, description, undo, appliedAtUnixMs: Date.now() };
  writeFileSync(join(ledgerDir, `${id}.json`), JSON.stringify(entry));
  return entry;
}

/** Forgets a fault whose undo has run. */
export function settleFault(entry: LedgerEntry): void {
  rmSync(join(ledgerDir, `${entry.id}.json`), { force: true });
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
  if (result.exitCode !== 0) {
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

/** Whether a process is alive (a ledger entry whose owner is gone is a leftover to undo). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
