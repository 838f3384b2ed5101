import type { Client } from "../clients/client.ts";
import { clientPod } from "../clients/registry.ts";
import { type Action, describeAfterAction, type ScenarioContext, type ScenarioReport } from "../scenario/context.ts";
import type { Backend } from "../services/backend.ts";
import { eventually } from "../wait/eventually.ts";
import { assertRequestCount, type TrafficResult } from "./client.ts";
import { describeMissingRequests } from "./expectations.ts";
import { describeDistribution, formatDistribution } from "./statistics.ts";

/** When traffic first matched the expectation, measured from the scenario's last action. */
export interface Convergence {
  readonly result: TrafficResult;
  /**
   * From the last action to the start of the first batch that satisfied the expectation. Milliseconds; negative when
   * the batch started before the action was stamped (never clamped).
   */
  readonly afterActionMs: number | undefined;
  /** The action `afterActionMs` is measured from. */
  readonly action: Action | undefined;
  readonly batches: number;
}

/**
 * Sends batches of `count` requests until `satisfied(batch, expected)` holds for a batch; `expected` is recomputed
 * before each batch (e.g. the Service's ready pods). Times out with the last batch's distribution.
 */
export async function trafficConverges<T>(
  context: ScenarioContext,
  options: { url: string; count: number; timeoutMs: number; description: string; from?: Client },
  expected: () => Promise<T>,
  satisfied: (batch: TrafficResult, expected: T) => boolean,
): Promise<Convergence> {
  // Checked here, not in the poll: eventually() would treat the user's mistake as "not yet" until the timeout.
  assertRequestCount(options.count, options.url);
  const client = options.from ?? clientPod(context);
  // Made before the wait, so a pod's start-up does not count against the time the step allows.
  await client.start();
  let batches = 0;
  const { value } = await eventually(
    options.description,
    async () => {
      const want = await expected();
      const request = { url: options.url, count: options.count, timeoutMs: 1000 };
      const result = await client.send(request);
      batches += 1;
      // A batch cut short proves nothing about the requests that were never sent.
      const missing = describeMissingRequests(result);
      const ok = missing === undefined && satisfied(result, want);
      return {
        satisfied: ok,
        value: ok
          ? result
          : `${describeDistribution(result.summary)}${missing ? `; ${missing}` : ""} (expected ${JSON.stringify(want)})`,
      };
    },
    { timeoutMs: options.timeoutMs, intervalMs: 100 },
  );
  const result = value as TrafficResult;
  const firstStart = result.probe.results[0]?.startUnixMs;
  const action = context.lastAction;
  return {
    result,
    afterActionMs: action && firstStart !== undefined ? firstStart - action.atUnixMs : undefined,
    action,
    batches,
  };
}

/**
 * A batch request of the convergence steps: N requests to a URL, repeated for up to `seconds`; from the scenario's
 * client pod unless `from` names another client.
 */
export interface BatchRequest {
  readonly seconds: number;
  readonly count: number;
  readonly url: string;
  readonly from?: Client;
}

async function convergeAndReport<T>(
  scenario: ScenarioContext,
  batch: BatchRequest,
  description: string,
  expected: () => Promise<T>,
  satisfied: (result: TrafficResult, expected: T) => boolean,
): Promise<Convergence> {
  const convergence = await trafficConverges(
    scenario,
    {
      url: batch.url,
      count: batch.count,
      timeoutMs: batch.seconds * 1000,
      description: `${batch.count} requests${batch.from ? ` from ${batch.from.label}` : ""} to ${batch.url} ${description}`,
      from: batch.from,
    },
    expected,
    (result, want) => result.summary.failed === 0 && satisfied(result, want),
  );
  await attachConvergence(scenario, convergence);
  return convergence;
}

/** Until a batch is answered by exactly the ready pods of `backend` (read for each batch) — all of them, nothing else — without failures. */
export function trafficReachesExactly(scenario: ScenarioContext, batch: BatchRequest, backend: Backend) {
  return convergeAndReport(
    scenario,
    batch,
    `are answered by exactly the ready pods of ${backend.name}`,
    async () => (await backend.readyPodNames()).sort(),
    (result, ready) => Object.keys(result.summary.byPod).sort().join() === ready.join(),
  );
}

/** Until a batch is answered by one pod only (stickiness took effect). */
export function trafficSticksToOnePod(scenario: ScenarioContext, batch: BatchRequest) {
  return convergeAndReport(
    scenario,
    batch,
    "are all answered by the same pod",
    async () => 1,
    (result) => Object.keys(result.summary.byPod).length === 1,
  );
}

/** Until a batch reaches at least `minimum` different pods (spreading took effect). */
export function trafficSpreadsOver(scenario: ScenarioContext, batch: BatchRequest, minimum: number) {
  return convergeAndReport(
    scenario,
    batch,
    `are answered by at least ${minimum} different pods`,
    async () => minimum,
    (result, want) => Object.keys(result.summary.byPod).length >= want,
  );
}

/** Attaches how long after the last action traffic converged, and the batch that showed it. */
export async function attachConvergence(scenario: ScenarioReport, convergence: Convergence): Promise<void> {
  const timing =
    convergence.afterActionMs === undefined || convergence.action === undefined
      ? "no earlier action in this scenario"
      : `traffic matched ${describeAfterAction(convergence.afterActionMs, convergence.action.description)}`;
  await scenario.attachText(
    "traffic-convergence.txt",
    // The URL as sent: placeholders ({nodePort:web}…) resolved, so the report shows which address was checked.
    `${convergence.result.client} → ${convergence.result.url}\n${timing} (${convergence.batches} batch(es) sent)\n\n${formatDistribution(convergence.result.summary)}`,
  );
}
