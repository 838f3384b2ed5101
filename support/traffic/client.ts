import { UserError } from "../errors/user-error.ts";
import { type HttpProbe, maxHttpProbeCount } from "../kube/prober.ts";
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
   * The sender's own address (a pod's IP, the node's for a hostNetwork client, a container's on the kind network,
   * the host's gateway address), so checks can tell whether a backend saw it or a rewritten one.
   */
  readonly senderAddress?: string;
  /** The node whose address the requests went to (a NodePort on one node), for per-node checks. */
  readonly targetNode?: string;
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
