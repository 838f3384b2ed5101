import { describeAfterAction, type ScenarioContext } from "../scenario/context.ts";
import { type EventuallyOptions, eventually, type Observation } from "../wait/eventually.ts";

/**
 * A named wait (see {@link eventually}) whose success is reported: how long the step waited and how long after the
 * scenario's last action the condition held (e.g. kube-proxy following a policy change), in the report and transcript.
 */
export async function eventuallyTimed<T>(
  scenario: ScenarioContext,
  description: string,
  observe: () => Promise<Observation<T>>,
  options: EventuallyOptions,
): Promise<{ value: T; elapsedMs: number }> {
  const outcome = await eventually(description, observe, options);
  const action = scenario.lastAction;
  const after = action ? `; ${describeAfterAction(Date.now() - action.atUnixMs, action.description)}` : "";
  const line = `${description}: held after ${(outcome.elapsedMs / 1000).toFixed(3)} s of waiting${after}`;
  scenario.note(line);
  await scenario.attachText("outside-timing.txt", line);
  return outcome;
}
