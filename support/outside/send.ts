import type { Client } from "../clients/client.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { assertRequestCount, type TrafficResult } from "../traffic/client.ts";
import { type OutsideTarget, resolveOutsideTarget } from "./targets.ts";

/** Per request, milliseconds: long enough for a loaded machine, short enough that a dropped packet fails fast. */
const requestTimeoutMs = 2000;

/**
 * Sends `count` requests (a new connection each) from `client` to every address `target` stands for, and returns
 * one result per address ("the NodePort on every node" is one per node, each naming its node).
 */
export async function sendToTarget(
  scenario: ScenarioContext,
  client: Client,
  target: OutsideTarget,
  count: number,
  timeoutMs = requestTimeoutMs,
): Promise<TrafficResult[]> {
  const resolved = await resolveOutsideTarget(scenario, target);
  assertRequestCount(count, resolved[0]?.url ?? "");
  const results: TrafficResult[] = [];
  for (const address of resolved) {
    const result = await client.send({ url: address.url, count, timeoutMs });
    results.push({
      ...result,
      client: `${result.client} → ${address.label}`,
      ...(address.node ? { targetNode: address.node } : {}),
    });
  }
  return results;
}
