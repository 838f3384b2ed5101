import { type HttpProbe, type HttpProbeRequest, probeHttp } from "../kube/prober.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { describeDistribution, summarize, type TrafficSummary } from "./statistics.ts";

/** What one client sent and what came back. */
export interface TrafficResult {
  readonly client: string;
  readonly url: string;
  readonly probe: HttpProbe;
  readonly summary: TrafficSummary;
}

/** Sends requests from a client pod of the scenario (a new connection each) and records them in the transcript. */
export async function sendTraffic(
  context: ScenarioContext,
  request: HttpProbeRequest,
  clientIndex = 0,
  node?: string,
): Promise<TrafficResult> {
  const client = await context.client(clientIndex, node);
  const probe = await probeHttp(context.kube, context.name, client, { concurrency: 4, timeoutMs: 2000, ...request });
  const summary = summarize(probe.results);
  context.note(`${client} → ${request.url}: ${request.count} requests: ${describeDistribution(summary)}`);
  return { client, url: request.url, probe, summary };
}

/** Sends the same traffic from several clients at once (distinct client IPs). */
export async function sendTrafficFromClients(
  context: ScenarioContext,
  clients: number,
  request: HttpProbeRequest,
): Promise<TrafficResult[]> {
  await context.clients(clients);
  return Promise.all(Array.from({ length: clients }, (_, index) => sendTraffic(context, request, index)));
}

/** Several clients' traffic as one result (all requests, one distribution), for checks over all of them. */
export function combineTraffic(results: readonly TrafficResult[]): TrafficResult {
  const requests = results.flatMap((r) => r.probe.results);
  const first = results[0]!;
  return {
    client: `${results.length} clients`,
    url: first.url,
    probe: { ...first.probe, results: requests, notSent: results.reduce((n, r) => n + r.probe.notSent, 0) },
    summary: summarize(requests),
  };
}
