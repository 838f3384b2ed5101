import { type SteadyTrafficState, steadyTrafficState } from "../chaos/steady-traffic.ts";
import type { HttpProbeResult } from "../kube/prober.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { combineTraffic, lastTraffic, lastTrafficCombined, type TrafficResult } from "./client.ts";
import { describeDistribution, summarize } from "./statistics.ts";

/**
 * The traffic a stickiness, spread or "answered by" check judges: the last requests the scenario sent and, when the
 * scenario runs steady traffic, every request of it so far (running or stopped), so "the same pod" holds across
 * everything that happened meanwhile (a scale-up, a switch), not only across the last batch.
 */
export interface JudgedTraffic {
  /** One entry per client: the last traffic's, then the steady traffic's. */
  readonly results: readonly TrafficResult[];
  /** All of them as one (for checks over "the requests"). */
  readonly combined: TrafficResult;
  /** Which traffic was judged, in words, for the report and for messages. */
  readonly description: string;
}

/**
 * The scenario's steady traffic, as its requests so far, one result per client; none when it has none. The one place
 * traffic checks read the steady traffic (through steadyTrafficState).
 */
export function steadyTrafficSoFar(scenario: ScenarioContext): TrafficResult[] {
  const steady: SteadyTrafficState | undefined = steadyTrafficState(scenario);
  if (!steady) return [];
  const samples = steady.result?.samples ?? steady.load.samplesSoFar();
  const clients = [...new Set(samples.map((s) => s.client))];
  return clients.map((client) => {
    const results: HttpProbeResult[] = samples
      .filter((s) => s.client === client)
      .map((s) => ({
        seq: s.seq,
        startUnixMs: s.startUnixMs,
        // The time the request took once started (its latency counts from its scheduled time).
        durationMs: Math.max(0, s.latencyMs - (s.startUnixMs - s.scheduledUnixMs)),
        ok: s.ok,
        status: s.status,
        pod: s.pod,
        podIP: "",
        node: "",
        clientIP: "",
        error: s.errorKind,
        errorKind: (s.errorKind || "") as HttpProbeResult["errorKind"],
      }));
    return {
      client: `${client} (steady traffic${steady.result ? "" : ", still running"})`,
      url: steady.url,
      requested: results.length,
      budgetMs: 0,
      probe: { url: steady.url, startedAt: new Date(steady.sinceUnixMs).toISOString(), results, notSent: 0 },
      summary: summarize(results),
    };
  });
}

/**
 * The last traffic and the steady traffic so far (see {@link JudgedTraffic}). Having neither is the feature's mistake.
 */
export function judgedTraffic(scenario: ScenarioContext): JudgedTraffic {
  const last = lastTraffic(scenario);
  const steady = steadyTrafficSoFar(scenario);
  const results = [...last, ...steady];
  const describe = (r: TrafficResult) =>
    `${r.summary.total} requests from ${r.client} to ${r.url} (${describeDistribution(r.summary)})`;
  const parts = [
    last.length > 0 ? `the last traffic: ${last.map(describe).join("; ")}` : "",
    steady.length > 0 ? `the steady traffic so far: ${steady.map(describe).join("; ")}` : "",
  ].filter(Boolean);
  return {
    results,
    // With no traffic at all, checks over "the requests" refuse (lastTrafficCombined says what to send); checks per
    // client judge the empty list and say so in their own words.
    get combined() {
      return results.length === 0
        ? lastTrafficCombined(scenario)
        : results.length === 1
          ? results[0]!
          : combineTraffic(results);
    },
    description: parts.length > 0 ? `judged ${parts.join(", and ")}` : "no traffic was sent, so none was judged",
  };
}

/**
 * Runs a traffic check on the judged traffic and says which traffic it judged: in the report when it passes, in the
 * message when it fails.
 */
export async function checkJudgedTraffic(
  scenario: ScenarioContext,
  check: (traffic: JudgedTraffic) => void,
): Promise<void> {
  const traffic = judgedTraffic(scenario);
  try {
    check(traffic);
  } catch (error) {
    if (error instanceof Error) {
      const message = `${error.message}\n  ${traffic.description}`;
      error.stack = error.stack?.replace(error.message, message);
      error.message = message;
    }
    throw error;
  }
  scenario.note(traffic.description);
  await scenario.attachText("judged traffic", `${traffic.description}\n`);
}
