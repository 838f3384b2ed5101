import { clientPod } from "../clients/registry.ts";
import { UserError } from "../errors/user-error.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";
import { describeDistribution } from "../traffic/statistics.ts";
import { eventually } from "../wait/eventually.ts";
import { undoFaults } from "./faults.ts";

/**
 * A steady-state hypothesis, as in Chaos Toolkit: what "healthy" means for this scenario, checked before the chaos
 * (so a scenario never breaks a system that was already broken) and again after the faults are undone (so it
 * proves the system recovered, and says how long that took).
 */
export interface SteadyState {
  readonly description: string;
  readonly url: string;
  readonly count: number;
  readonly minimumPods: number;
}

/** The scenario's steady-state hypothesis, once declared: checked before the chaos and after the undo. */
const steadyStateSlot = defineSlot("steady-state hypothesis", () => ({
  declared: undefined as SteadyState | undefined,
}));

/** One batch of the hypothesis' requests: does it hold now, and what was seen. */
async function observe(context: ScenarioContext, state: SteadyState) {
  const result = await clientPod(context).send({ url: state.url, count: state.count, timeoutMs: 1000 });
  const pods = Object.keys(result.summary.byPod).length;
  const holds = result.summary.succeeded === state.count && result.summary.failed === 0 && pods >= state.minimumPods;
  return { satisfied: holds, value: describeDistribution(result.summary) };
}

/** Declares the steady state and checks that it holds before any chaos (within `seconds`). */
export async function establishSteadyState(context: ScenarioContext, state: SteadyState, seconds: number) {
  context.slot(steadyStateSlot).declared = state;
  await eventually(`the steady state holds before the chaos: ${state.description}`, () => observe(context, state), {
    timeoutMs: seconds * 1000,
    intervalMs: 200,
  });
}

/**
 * Undoes every fault, then waits until the steady state holds again; returns the recovery time in milliseconds,
 * from the last undo's stamp (its change returned, before the wait for the cluster to recover) to the start of the
 * first batch that held.
 */
export async function restoreSteadyState(context: ScenarioContext, seconds: number): Promise<number> {
  const state = context.peek(steadyStateSlot)?.declared;
  if (!state) {
    throw new UserError(
      "no steady state was declared in this scenario, so there is nothing to restore",
      'declare it before the chaos, e.g. Given the steady state is that 30 requests to "http://web" all succeed, answered by at least 2 different pods',
    );
  }
  await undoFaults(context);
  const undoneAt = context.lastActionOf("undone")?.atUnixMs ?? Date.now();
  let batchStartedAt = undoneAt;
  await eventually(
    `the steady state holds again after the faults were undone: ${state.description}`,
    async () => {
      batchStartedAt = Date.now();
      return observe(context, state);
    },
    { timeoutMs: seconds * 1000, intervalMs: 200 },
  );
  const recoveryMs = batchStartedAt - undoneAt;
  context.note(`steady state restored ${(recoveryMs / 1000).toFixed(3)} s after the faults were undone`);
  return recoveryMs;
}
