import type { Client } from "../clients/client.ts";
import { clientPod } from "../clients/registry.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import type { TrafficResult } from "../traffic/client.ts";
import { eventually } from "../wait/eventually.ts";

/**
 * Sends batches from `from` (by default the scenario's client pod) until none of `count` requests to `url` succeeds
 * (a removed Service or port, a deleted name); the timeout names what still answered.
 */
export async function waitUntilUnreachable(
  scenario: ScenarioContext,
  target: { url: string; count: number; seconds: number; from?: Client },
): Promise<void> {
  const { from } = target;
  const client = from ?? clientPod(scenario);
  // Made before the wait, so a pod's start-up does not count against the time the step allows.
  if (!from) await client.start();
  await eventually(
    `none of ${target.count} requests${from ? ` from ${from.label}` : ""} to ${target.url} succeeds`,
    async () => {
      const { probe } = await client.send({ url: target.url, count: target.count, timeoutMs: 1000, concurrency: 4 });
      const answered = probe.results.filter((r) => r.ok);
      return {
        satisfied: answered.length === 0,
        value: `${answered.length} answered (${[...new Set(answered.map((r) => r.pod || "ok"))].join(", ")})`,
      };
    },
    { timeoutMs: target.seconds * 1000, intervalMs: 250 },
  );
}

/** No request of the last traffic succeeded, whatever the error (a timeout, a refusal, a name that does not resolve). */
export function expectNoneSucceeded(traffic: readonly TrafficResult[]): void {
  const answered = traffic.flatMap((t) => t.probe.results).filter((r) => r.ok);
  if (answered.length > 0) {
    throw new Error(
      `expected no request to succeed, but ${answered.length} did (answered by ${[...new Set(answered.map((r) => r.pod || "?"))].join(", ")})`,
    );
  }
}

/**
 * Every answer saw the sending pod's own IP as the client address: no SNAT on the way through the Service
 * (Kubernetes' "should preserve source pod IP for traffic thru service cluster IP").
 */
export function expectClientIpPreserved(traffic: readonly TrafficResult[]): void {
  for (const result of traffic) {
    const ip = result.senderAddress;
    // Each request against the address its own connection left from (a name resolves to either family).
    const others = result.probe.results.filter((r) => !r.ok || r.clientIP !== (r.localIP ?? ip));
    if (!ip || others.length > 0 || result.probe.results.length === 0) {
      // Each miss as "seen (sent from)": a batch by name may have gone out in both families.
      const misses = [...new Set(others.map((r) => `${r.clientIP || r.errorKind} (sent from ${r.localIP ?? ip})`))];
      throw new Error(
        `expected every answer to ${result.client} (${ip}) to see the address it was sent from as the client, but ${others.length} of ${result.probe.results.length} did not: ${misses.join(", ")}`,
      );
    }
  }
}

/**
 * Sends batches from `from` until all `count` requests succeed (e.g. until kube-proxy on that pod's node has
 * programmed a Service); the timeout shows the last batch's outcome.
 */
export async function waitUntilClientReaches(
  from: Client,
  target: { url: string; count: number; seconds: number },
): Promise<void> {
  await eventually(
    `all ${target.count} requests from ${from.label} to ${target.url} succeed`,
    async () => {
      const result = await from.send({ url: target.url, count: target.count, timeoutMs: 1000 });
      const failed = result.probe.results.filter((r) => !r.ok);
      return {
        satisfied: failed.length === 0 && result.probe.results.length === target.count,
        value: `${failed.length} failed (${[...new Set(failed.map((r) => r.errorKind))].join(", ") || "none"})`,
      };
    },
    { timeoutMs: target.seconds * 1000, intervalMs: 250 },
  );
}
