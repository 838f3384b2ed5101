import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../support/log/logger.ts";
import { processAlive } from "../../support/process/liveness.ts";
import { eventually } from "../../support/wait/eventually.ts";

/**
 * One run at a time writes a reports folder: two runs in one checkout used to interleave their Cucumber message
 * streams and both fail while every scenario passed. A second run waits for the first (and says so), rather than
 * silently writing elsewhere where CI would not look; a lock whose owner is gone is taken over.
 */
export async function lockReports(dir: string, log: Logger, signal?: AbortSignal): Promise<() => void> {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, ".kubequake-run.lock");
  const tryTake = () => {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      return true;
    } catch {
      const owner = Number(readFileSync(lock, "utf8").trim());
      if (processAlive(owner) && owner !== process.pid) return false;
      rmSync(lock, { force: true });
      return tryTake();
    }
  };
  if (!tryTake()) {
    const owner = readFileSync(lock, "utf8").trim();
    log.warn(
      `another kubequake run (PID ${owner}) is writing ${dir}/; waiting for it to finish (set KUBEQUAKE_REPORTS=DIR to run at the same time into another folder)`,
    );
    await eventually(
      `the run writing ${dir}/ finishes`,
      async () => ({ satisfied: tryTake(), value: `PID ${readFileSync(lock, "utf8").trim()} still running` }),
      { timeoutMs: 6 * 3600_000, intervalMs: 1000, signal },
    );
  }
  const release = () => {
    try {
      if (readFileSync(lock, "utf8").trim() === String(process.pid)) rmSync(lock, { force: true });
    } catch {
      // Already gone.
    }
  };
  process.once("exit", release);
  return release;
}
