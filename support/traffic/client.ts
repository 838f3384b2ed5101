import { UserError } from "../errors/user-error.ts";
import {
  defaultProbeBudgetMs,
  type HttpProbe,
  type HttpProbeRequest,
  maxHttpProbeCount,
  maxProbeBudgetMs,
  probeHttp,
} from "../kube/prober.ts";
import type { ClusterNode } from "../nodes/registry.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { expandAddresses } from "./addresses.ts";
import { describeDistribution, summarize, type TrafficSummary } from "./statistics.ts";

/** What one client sent and what came back. */
export interface TrafficResult {
  readonly client: string;
  readonly url: string;
  /** How many requests were asked for; the prober may have started fewer (see `probe.notSent`). */
  readonly requested: number;
  /** The prober's time budget: it starts no request after this many milliseconds. */
  readonly budgetMs: number;
  readonly probe: HttpProbe;
  readonly summary: TrafficSummary;
}

/**
 * Rejects a request count the prober would refuse (it answers 400), before a client pod is created or anything is
 * sent, so the user sees their mistake in their own words rather than the prober's.
 */
export function assertRequestCount(count: number, url: string): void {
  if (!Number.isInteger(count) || count < 1 || count > maxHttpProbeCount) {
    throw new UserError(
      `cannot send ${count} request(s) to ${url}: a client sends between 1 and ${maxHttpProbeCount} requests, so nothing was sent`,
      `ask for at least 1 request, e.g. When a client pod sends 100 requests to "${url}".`,
    );
  }
}

/**
 * Sends requests from a client pod of the scenario (a new connection each) and records them in the transcript; `node`
 * pins the client to a node (the {node} handle, or a name from a sender phrase such as "a client pod on node "n"").
 */
export async function sendTraffic(
  context: ScenarioContext,
  request: HttpProbeRequest,
  clientIndex = 0,
  node?: ClusterNode | string,
): Promise<TrafficResult> {
  assertRequestCount(request.count, request.url);
  // Placeholders ({clusterIP:web}, {nodeIP:n}, {nodePort:web}) are read now, so each batch sees the Service as it is.
  const url = await expandAddresses(context, request.url);
  const client = await context.client(clientIndex, typeof node === "string" ? node : node?.name);
  // The budget is sent explicitly so a cut-off can be explained with the number the prober really used.
  const sent = { concurrency: 4, timeoutMs: 2000, maxDurationMs: defaultProbeBudgetMs, ...request, url };
  const probe = await probeHttp(context.kube, context.name, client, sent);
  const summary = summarize(probe.results);
  const cutOff = probe.notSent > 0 ? ` (${probe.notSent} not sent: time budget of ${sent.maxDurationMs} ms)` : "";
  context.note(`${client} → ${url}: ${request.count} requests: ${describeDistribution(summary)}${cutOff}`);
  return { client, url, requested: request.count, budgetMs: sent.maxDurationMs, probe, summary };
}

/**
 * Paced traffic from client 0: one request every `intervalSeconds`, one at a time. By default the time budget fits
 * every request (count × interval, plus 5 s of slack); with `budgetSeconds` the prober starts no request after that
 * long, and the rest are reported as not sent.
 */
export async function sendPacedTraffic(
  context: ScenarioContext,
  request: { url: string; count: number; intervalSeconds: number; budgetSeconds?: number },
): Promise<TrafficResult> {
  const intervalMs = request.intervalSeconds * 1000;
  const { budgetSeconds } = request;
  if (budgetSeconds !== undefined && (budgetSeconds < 1 || budgetSeconds * 1000 > maxProbeBudgetMs)) {
    throw new UserError(
      `cannot send requests to ${request.url} for at most ${budgetSeconds} s: the time limit must be between 1 and ${maxProbeBudgetMs / 1000} seconds, so nothing was sent`,
      `give a limit from 1 to ${maxProbeBudgetMs / 1000} seconds, or leave the limit out to wait for every request.`,
    );
  }
  return sendTraffic(context, {
    url: request.url,
    count: request.count,
    concurrency: 1,
    intervalMs,
    // Without a limit, room for every request, within the most the prober accepts (beyond it, the rest are not sent).
    maxDurationMs:
      budgetSeconds === undefined
        ? Math.min(maxProbeBudgetMs, request.count * intervalMs + 5000)
        : budgetSeconds * 1000,
  });
}

/** Sends the same traffic from several clients at once (distinct client IPs). */
export async function sendTrafficFromClients(
  context: ScenarioContext,
  clients: number,
  request: HttpProbeRequest,
): Promise<TrafficResult[]> {
  if (!Number.isInteger(clients) || clients < 1) {
    throw new UserError(
      `cannot send requests from ${clients} client pod(s): at least 1 client is needed, so nothing was sent`,
      `ask for 1 or more clients, e.g. When 8 client pods each send 15 requests to "${request.url}".`,
    );
  }
  assertRequestCount(request.count, request.url);
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
    requested: results.reduce((n, r) => n + r.requested, 0),
    budgetMs: Math.max(...results.map((r) => r.budgetMs)),
    probe: { ...first.probe, results: requests, notSent: results.reduce((n, r) => n + r.probe.notSent, 0) },
    summary: summarize(requests),
  };
}
