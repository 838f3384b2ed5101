import { runOwnerPid } from "../kube/namespace.ts";
import { type Action, defineSlot, type ScenarioContext } from "../scenario/context.ts";
import { releaseChaosLease } from "./chaos-lease.ts";
import { type Change, type ChaosEvent, ChaosLog } from "./chaos-log.ts";

/**
 * The scenario's chaos log: its undo log and its notes. Its teardown runs in the "restore" phase, before every other
 * teardown and before the namespace is deleted: a fault beyond the namespace (a stopped node, the API server parked)
 * must be undone first, or the rest of the cleanup would run against a broken cluster (a namespace cannot even be
 * deleted without the API server). Each undo is recorded as an "undone" action, as during the scenario.
 */
const chaosSlot = defineSlot(
  "chaos log",
  () => new ChaosLog(runOwnerPid()),
  (log, scenario) => undoAllAndRelease(log, scenario),
  { phase: "restore" },
);

/**
 * Undoes every pending fault, then releases the cluster's chaos lease (chaos-lease.ts) if the scenario took it: only
 * once its faults are undone may another run break the cluster. Released even when an undo failed (that failure is
 * reported): the faults are then in the ledger for the next run's sweep, and holding the lease would not mend them.
 */
async function undoAllAndRelease(log: ChaosLog, scenario: ScenarioContext): Promise<void> {
  try {
    await log.undoAll(recordUndone(scenario));
  } finally {
    await releaseChaosLease(scenario);
  }
}

/** The scenario's chaos log, made on first use. */
export function chaosLog(scenario: ScenarioContext): ChaosLog {
  return scenario.slot(chaosSlot);
}

/** Records an undo as an "undone" action the moment its change returned. */
function recordUndone(scenario: ScenarioContext): (description: string) => void {
  return (description) => {
    scenario.recordAction("undone", `undone: ${description}`);
  };
}

/**
 * Applies a fault through the chaos log (its undo kept for the end of the scenario) and records it as an action
 * the moment its change returned, before `fault.settle` waits for its effect.
 */
export async function applyFault(
  scenario: ScenarioContext,
  label: string,
  fault: Change,
  undo: Change,
  options: {
    pods?: readonly string[];
    dockerUndo?: { command: readonly string[]; alreadyUndone?: string; cluster?: string };
  } = {},
): Promise<void> {
  await chaosLog(scenario).apply(label, fault, undo, {
    dockerUndo: options.dockerUndo,
    applied: () => scenario.recordAction("fault", label, options.pods),
  });
}

/**
 * Undoes every pending fault now, newest first, each recorded as an "undone" action the moment its undo returned;
 * then waits for the cluster to recover from them all. Waits after it measure from the last undo, not from the end
 * of the recovery. With nothing to undo, that is recorded too, so a later wait still measures from this step.
 */
export async function undoFaults(scenario: ScenarioContext): Promise<void> {
  const log = chaosLog(scenario);
  if (log.pending.length === 0) {
    scenario.recordAction("undone", "nothing to undo");
    await releaseChaosLease(scenario);
    return;
  }
  await undoAllAndRelease(log, scenario);
}

/** As {@link undoFaults}, for the newest pending fault only (a fault with a stated duration ends itself so). */
export function undoLatestFault(scenario: ScenarioContext): Promise<void> {
  return chaosLog(scenario).undoLatest(recordUndone(scenario));
}

/** Notes an event on the chaos timeline that is not an action (steady traffic started or stopped). */
export function noteChaosEvent(scenario: ScenarioContext, label: string): void {
  chaosLog(scenario).note(label, "note");
}

/**
 * The scenario's chaos timeline, oldest first: every action of the scenario (a kill, a fault, an undo — read from
 * `scenario.actions`, so the Scenario need not know about chaos) with the chaos log's own notes. The traffic chart
 * marks these, and the killed-pod check reads the pods each acted on.
 */
export function chaosEvents(scenario: ScenarioContext): ChaosEvent[] {
  const notes = scenario.peek(chaosSlot)?.events ?? [];
  return [...scenario.actions.map(actionEvent), ...notes].sort((a, b) => a.atUnixMs - b.atUnixMs);
}

/** An action as a point on the chaos timeline: an undo marks recovery, anything else a change. */
function actionEvent(action: Action): ChaosEvent {
  return {
    atUnixMs: action.atUnixMs,
    label: action.description,
    kind: action.kind === "undone" ? "undo" : "chaos",
    pods: action.pods,
    fault: action.kind === "fault",
    killed: action.kind === "killed" || action.kind === "force-deleted",
  };
}
