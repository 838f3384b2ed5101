import type { ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";
import { sendTraffic, type TrafficResult } from "./client.ts";
import { describeDistribution } from "./statistics.ts";

/** When traffic first matched the expectation, measured from the scenario's last action. */
export interface Convergence {
  readonly result: TrafficResult;
  /** From the last action to the start of the first batch that satisfied the expectation. Milliseconds. */
  readonly afterActionMs: number | undefined;
  readonly batches: number;
}

/**
 * Sends batches of `count` requests until `satisfied(batch, expected)` holds for a batch; `expected` is recomputed
 * before each batch (e.g. the Service's ready pods). Times out with the last batch's distribution.
 */
export async function trafficConverges<T>(
  context: ScenarioContext,
  options: { url: string; count: number; timeoutMs: number; description: string },
  expected: () => Promise<T>,
  satisfied: (batch: TrafficResult, expected: T) => boolean,
): Promise<Convergence> {
  let batches = 0;
  const { value } = await eventually(
    options.description,
    async () => {
      const want = await expected();
      const result = await sendTraffic(context, { url: options.url, count: options.count, timeoutMs: 1000 });
      batches += 1;
      const ok = satisfied(result, want);
      return {
        satisfied: ok,
        value: ok ? result : `${describeDistribution(result.summary)} (expected ${JSON.stringify(want)})`,
      };
    },
    { timeoutMs: options.timeoutMs, intervalMs: 100 },
  );
  const result = value as TrafficResult;
  const firstStart = result.probe.results[0]?.startUnixMs;
  const action = context.lastAction;
  return {
    result,
    afterActionMs: action && firstStart !== undefined ? Math.max(0, firstStart - action.atUnixMs) : undefined,
    batches,
  };
}
