import { UserError } from "../errors/user-error.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";
import { chaosLog, noteChaosEvent, undoFaults } from "./faults.ts";
import { steadyTrafficState } from "./steady-traffic.ts";
import type { TrafficSample } from "./verdicts.ts";

/*
 * Abort on breach: an error budget for the steady traffic while faults are active. A watcher judges the traffic since
 * the oldest pending fault began, on a bounded interval; once the share of failed requests exceeds the budget, it
 * undoes every fault at once (as krkn's and Litmus's abort conditions do) and the scenario fails with the moment of
 * the breach. The failure surfaces on the step that was running when the watcher saw the breach, when that step ends
 * (or on the next step, if it came between steps): failing a step while it still runs would leave its work (a fault
 * half applied, a wait still polling) going on unobserved while the scenario is cleaned up. The faults themselves are
 * undone the moment the breach is seen, whatever step runs.
 */

/** How often the watcher judges the traffic: often enough to catch a breach within about a second of being settled. */
const watchIntervalMs = 500;
/** The least stretch of settled traffic a share is judged on: one failed request alone is not a share. */
const minMeasuredMs = 1000;

/** What the traffic since a fault began says about the budget, and the figures a breach is reported with. */
export interface BreachVerdict {
  readonly breached: boolean;
  readonly failed: number;
  readonly total: number;
  /** Failed share, percent of `total`. */
  readonly failedPercent: number;
  /** How long a stretch of settled requests was judged, from the fault's start. */
  readonly measuredMs: number;
}

/**
 * Judges the error budget on the requests scheduled since the fault began that have all had time to end (scheduled at
 * least `timeoutMs` before the newest request): breached when at least {@link minMeasuredMs} of them show more than
 * `budgetPercent` failed.
 */
export function judgeBreach(
  samples: readonly TrafficSample[],
  options: { sinceUnixMs: number; timeoutMs: number; budgetPercent: number },
): BreachVerdict {
  const newest = samples.reduce((max, s) => Math.max(max, s.scheduledUnixMs), 0);
  const end = newest - options.timeoutMs;
  const measuredMs = Math.max(0, end - options.sinceUnixMs);
  const judged = samples.filter((s) => s.scheduledUnixMs >= options.sinceUnixMs && s.scheduledUnixMs <= end);
  const failed = judged.filter((s) => !s.ok).length;
  const failedPercent = judged.length === 0 ? 0 : (100 * failed) / judged.length;
  return {
    breached: measuredMs >= minMeasuredMs && judged.length > 0 && failedPercent > options.budgetPercent,
    failed,
    total: judged.length,
    failedPercent,
    measuredMs,
  };
}

/** A breach as the scenario reports it. */
interface Breach {
  readonly atUnixMs: number;
  readonly fault: string;
  readonly faultAtUnixMs: number;
  readonly verdict: BreachVerdict;
  /** The undo the breach started: resolves with its error when it failed (reported with the breach), else undefined. */
  readonly undone: Promise<unknown>;
  reported: boolean;
}

interface BreachWatch {
  budgetPercent?: number;
  timer?: ReturnType<typeof setInterval>;
  breach?: Breach;
  /** A tick in progress: ticks do not overlap (a judgement after an undo started would judge nothing new). */
  busy: boolean;
}

const breachSlot = defineSlot<BreachWatch>(
  "error budget while faults are active",
  () => ({ busy: false }),
  async (watch) => {
    clearInterval(watch.timer);
    // An undo the breach started is awaited, so that the cluster is whole before cleanup and its failure is reported.
    const failed = await watch.breach?.undone;
    if (failed !== undefined) throw failed;
  },
  { phase: "restore" },
);

/** Sets the scenario's error budget while faults are active, and starts watching the steady traffic against it. */
export function watchErrorBudget(scenario: ScenarioContext, budgetPercent: number): void {
  if (!(Number.isFinite(budgetPercent) && budgetPercent >= 0 && budgetPercent < 100)) {
    throw new UserError(
      `an error budget of ${budgetPercent}% cannot be breached meaningfully`,
      "give a share from 0 (nothing may fail) to below 100, e.g. Given the steady traffic may fail at most 5% while faults are active.",
    );
  }
  const watch = scenario.slot(breachSlot);
  if (watch.budgetPercent !== undefined) {
    throw new UserError(
      `the scenario already has an error budget while faults are active (${watch.budgetPercent}%)`,
      "state it once, before the faults.",
    );
  }
  watch.budgetPercent = budgetPercent;
  watch.timer = setInterval(() => {
    if (watch.busy || watch.breach) return;
    watch.busy = true;
    try {
      tick(scenario, watch, budgetPercent);
    } finally {
      watch.busy = false;
    }
  }, watchIntervalMs);
  // The watcher alone must not keep the process alive.
  watch.timer.unref();
}

function tick(scenario: ScenarioContext, watch: BreachWatch, budgetPercent: number): void {
  const traffic = steadyTrafficState(scenario);
  if (!traffic || traffic.result) return;
  const fault = oldestActiveFault(scenario);
  if (!fault) return;
  const verdict = judgeBreach(traffic.load.samplesSoFar(), {
    sinceUnixMs: fault.atUnixMs,
    timeoutMs: traffic.load.request.timeoutMs ?? 2000,
    budgetPercent,
  });
  if (!verdict.breached) return;
  const atUnixMs = Date.now();
  noteChaosEvent(
    scenario,
    `error budget breached: ${verdict.failedPercent.toFixed(1)}% failed > ${budgetPercent}% (undoing the faults)`,
  );
  scenario.note(`error budget breached ${describeBreach(fault.atUnixMs, atUnixMs, verdict, budgetPercent)}`);
  // Its failure is kept as a value, reported by the step that reports the breach and again at cleanup.
  const undone = undoFaults(scenario).then(
    () => undefined,
    (error: unknown) => error,
  );
  watch.breach = { atUnixMs, fault: fault.label, faultAtUnixMs: fault.atUnixMs, verdict, undone, reported: false };
}

/** The oldest fault still pending in the chaos log, with the moment it was applied (its "fault" action). */
function oldestActiveFault(scenario: ScenarioContext): { label: string; atUnixMs: number } | undefined {
  const [oldest] = chaosLog(scenario).pending;
  if (oldest === undefined) return undefined;
  // Pending from before its change returned: only once it is stamped has the fault begun.
  const action = scenario.actions.findLast((a) => a.kind === "fault" && a.description === oldest);
  return action ? { label: oldest, atUnixMs: action.atUnixMs } : undefined;
}

function describeBreach(faultAt: number, at: number, verdict: BreachVerdict, budgetPercent: number): string {
  return `${((at - faultAt) / 1000).toFixed(1)} s after the fault began: ${verdict.failedPercent.toFixed(1)}% of the steady traffic failed (${verdict.failed} of ${verdict.total} requests, over the ${(verdict.measuredMs / 1000).toFixed(1)} s measured since the fault), more than the ${budgetPercent}% allowed`;
}

/** The error a breach fails the scenario with. */
export class ErrorBudgetBreachedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ErrorBudgetBreachedError";
    // The moment and the figures are the message; kubequake's call stack would only hide them.
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * Fails with the breach if the watcher saw one not reported yet (called after each step, and before each): once the
 * undo it started has returned, so the report says whether it worked.
 */
export async function reportBreach(scenario: ScenarioContext): Promise<void> {
  const breach = scenario.peek(breachSlot)?.breach;
  if (!breach || breach.reported) return;
  breach.reported = true;
  const failed = await breach.undone;
  const undo =
    failed === undefined
      ? "the faults were undone at once"
      : `undoing the faults failed: ${failed instanceof Error ? failed.message : String(failed)}`;
  throw new ErrorBudgetBreachedError(
    `the steady traffic broke its error budget while "${breach.fault}" was active, at ${new Date(breach.atUnixMs).toISOString()}, ${describeBreach(breach.faultAtUnixMs, breach.atUnixMs, breach.verdict, scenario.peek(breachSlot)?.budgetPercent ?? 0)}; ${undo}, and the scenario stops here`,
  );
}
