// A made-up but realistic failover, for the timeline's tests, its benchmark and a demo chart: no cluster needed,
// and the same seed always gives the same samples.

import { seededRandom } from "./selection.ts";
import type { TimelineEvent, TimelineSample } from "./timeline.ts";

/** The shape of a synthetic failover. Times in seconds after the traffic started. */
export interface SyntheticFailover {
  /** Length of the traffic, seconds. */
  readonly seconds: number;
  /** Requests per second (open loop: evenly spaced schedule). */
  readonly ratePerSecond: number;
  /** When the pod is killed, seconds. */
  readonly killAtS: number;
  /** Seconds after the kill during which requests fail: the first half refused, the second half reset. */
  readonly failureS: number;
  /** Share of the requests that fail in that window (1: all of them; 1/3: those routed to 1 of 3 pods). */
  readonly failingShare: number;
  /** When the undo is marked, seconds. */
  readonly undoAtS: number;
  /** Seed of the pseudo-random latencies and routing. */
  readonly seed?: number;
  /** Unix ms of the first scheduled request. */
  readonly originUnixMs?: number;
}

/** Samples from 2 clients, answered by 3 pods, with one pod killed, and the kill, the replacement and the undo. */
export function syntheticFailover(shape: SyntheticFailover): { samples: TimelineSample[]; events: TimelineEvent[] } {
  const random = seededRandom(shape.seed ?? 7);
  const origin = shape.originUnixMs ?? 1_760_000_000_000;
  const killed = "web-7d9f-abcde";
  const survivors = ["web-7d9f-fghij", "web-7d9f-klmno"];
  const replacement = "web-7d9f-pqrst";
  const killMs = shape.killAtS * 1000;
  const failEndMs = killMs + shape.failureS * 1000;
  const total = Math.round(shape.seconds * shape.ratePerSecond);
  const samples: TimelineSample[] = [];
  for (let i = 0; i < total; i++) {
    const offset = (i * 1000) / shape.ratePerSecond;
    const scheduledUnixMs = origin + offset;
    // Log-normal latencies around 2 ms with a tail, a little slower while the survivors take the extra load.
    const slow = offset >= killMs && offset < failEndMs + 3000 ? 2.5 : 1;
    const latencyMs = Math.exp(Math.log(2 * slow) + 0.45 * gaussian(random)) + (random() < 0.01 ? 15 * random() : 0);
    const failing = offset >= killMs && offset < failEndMs && random() < shape.failingShare;
    const base = {
      client: `client-${i % 2}`,
      seq: Math.floor(i / 2),
      scheduledUnixMs,
      startUnixMs: scheduledUnixMs + 0.05 + random() * 0.2,
    };
    if (failing) {
      const refused = offset < killMs + (shape.failureS * 1000) / 2;
      samples.push({
        ...base,
        latencyMs: refused ? 0.3 + random() : 1 + random() * 2,
        ok: false,
        status: 0,
        errorKind: refused ? "refused" : "reset",
        pod: "",
      });
      continue;
    }
    const pods =
      offset < killMs ? [killed, ...survivors] : offset < failEndMs ? survivors : [...survivors, replacement];
    samples.push({
      ...base,
      latencyMs,
      ok: true,
      status: 200,
      errorKind: "",
      pod: pods[Math.floor(random() * pods.length)]!,
    });
  }
  const events: TimelineEvent[] = [
    { atUnixMs: origin + killMs, label: `pod ${killed} killed`, kind: "chaos" },
    { atUnixMs: origin + failEndMs + 300, label: `${replacement} ready`, kind: "note" },
    { atUnixMs: origin + shape.undoAtS * 1000, label: "undo: kill schedule stopped", kind: "undo" },
  ];
  return { samples, events };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
