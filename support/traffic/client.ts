import { UserError } from "../errors/user-error.ts";
import { type HttpProbe, maxHttpProbeCount } from "../kube/prober.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";
import { summarize, type TrafficSummary } from "./statistics.ts";

/** What one client sent and what came back (made by a client's `send`: see support/clients/client.ts). */
export interface TrafficResult {
  /** Who sent, as the reports name it: a pod's name, `outside client "alice" (172.18.0.9)`, `the host (172.18.0.1)`. */
  readonly client: string;
  readonly url: string;
  /** How many requests were asked for; the prober may have started fewer (see `probe.notSent`). */
  readonly requested: number;
  /** The prober's time budget: it starts no request after this many milliseconds. */
  readonly budgetMs: number;
  readonly probe: HttpProbe;
  readonly summary: TrafficSummary;
  /**
   * The address the requests left from, as their connections reported it (else a pod's IP, the node's for a
   * hostNetwork client, a container's on the kind network, the host's gateway address), so checks can tell whether
   * a backend saw it or a rewritten one.
   */
  readonly senderAddress?: string;
  /** The node whose address the requests went to (a NodePort on one node), for per-node checks. */
  readonly targetNode?: string;
}

/** The last traffic sent, one entry per client, for `Then` steps about "the requests". */
const lastTrafficSlot = defineSlot("last traffic", () => ({ results: [] as TrafficResult[] }));

/** Keeps `results` as the scenario's last traffic (what `Then` steps about "the requests" judge); returns them. */
export function rememberTraffic(scenario: ScenarioContext, results: TrafficResult[]): TrafficResult[] {
  scenario.slot(lastTrafficSlot).results = results;
  return results;
}

/** The scenario's last traffic, one entry per client; empty before any was sent. */
export function lastTraffic(scenario: ScenarioContext): TrafficResult[] {
  return scenario.peek(lastTrafficSlot)?.results ?? [];
}

/** The last traffic, all clients together, for `Then` steps about "the requests"; a clear error before any. */
export function lastTrafficCombined(scenario: ScenarioContext): TrafficResult {
  const results = lastTraffic(scenario);
  const [first, ...others] = results;
  if (!first) {
    throw new UserError(
      "no requests were sent yet in this scenario, so there is nothing to check",
      'send some first, e.g. When a client pod sends 100 requests to "http://web".',
    );
  }
  return others.length === 0 ? first : combineTraffic(results);
}

/**
 * Why a client cannot send `count` requests in one step, with what to ask for instead; undefined when it can. The
 * prober refuses more than {@link maxHttpProbeCount} because it keeps every result in memory until it answers.
 * `kubequake lint` asks the same question of every "{int} request(s)" in the features.
 */
export function requestCountProblem(count: number): { problem: string; fix: string } | undefined {
  if (Number.isInteger(count) && count >= 1 && count <= maxHttpProbeCount) return undefined;
  if (count > maxHttpProbeCount) {
    return {
      problem: `${count} requests is more than one step sends: a client sends between 1 and ${maxHttpProbeCount} requests per step (the prober keeps every result in memory until it answers)`,
      fix: `ask for at most ${maxHttpProbeCount} requests (a few hundred show a distribution), or send them in several steps.`,
    };
  }
  return {
    problem: `${count} requests: a client sends a whole number of requests between 1 and ${maxHttpProbeCount}`,
    fix: "ask for at least 1 request, e.g. 100.",
  };
}

/**
 * Rejects a request count the prober would refuse (it answers 400), before a client pod is created or anything is
 * sent, so the user sees their mistake in their own words rather than the prober's.
 */
export function assertRequestCount(count: number, url: string): void {
  const wrong = requestCountProblem(count);
  if (wrong)
    throw new UserError(`cannot send ${count} request(s) to ${url}: ${wrong.problem}, so nothing was sent`, wrong.fix);
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
