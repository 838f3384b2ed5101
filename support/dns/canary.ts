import { type DnsProbeResult, probeDns } from "../kube/prober.ts";
import { managedByLabel } from "../kube/workloads.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";
import { addressRecordOf, dnsClient, serviceFqdn } from "./lookup.ts";

/**
 * Lookups of the canary per round: each is a new query that kube-proxy may send to any CoreDNS replica, so with one
 * of two replicas stale the chance that all of them miss it is 2⁻¹⁶ (likely, not certain: hence "every ... answers").
 */
export const canaryLookups = 16;

/**
 * Waits until cluster DNS answers for Services made from now on: a canary Service (no selector) is created in the
 * scenario's namespace and its name asked {@link canaryLookups} times through the cluster DNS Service; every lookup
 * must answer its ClusterIP. "CoreDNS at full strength" (every replica Ready) does not show this after the API server
 * was away: a replica's watch of Services, or kube-proxy's of CoreDNS's endpoints, comes back on its own schedule.
 * Seen once on kubequake-nftables-dual (not reproduced in two re-runs): the scenario after "the API server is down
 * for 20 seconds" had half its lookups of its new Service fail at once for its whole 28 s, with the cluster whole.
 * Waiting here puts such a wait, or its failure, in the scenario that broke the cluster instead of the next one.
 */
export async function waitUntilClusterDnsSeesNewServices(scenario: ScenarioContext, seconds: number): Promise<void> {
  const name = `dns-canary-${Date.now().toString(36)}`;
  const created = await scenario.kube.core.createNamespacedService({
    namespace: scenario.name,
    body: {
      metadata: { name, labels: { ...managedByLabel } },
      spec: { ports: [{ name: "canary", port: 80, protocol: "TCP" }] },
    },
  });
  const clusterIP = created.spec?.clusterIP ?? "";
  const fqdn = `${serviceFqdn(name, scenario.name)}.`;
  try {
    const client = (await dnsClient(scenario).start()).name;
    const { elapsedMs } = await eventually(
      `every CoreDNS replica answers for a Service made after the fault (${canaryLookups} lookups of ${fqdn} answer ${clusterIP})`,
      async () => {
        const results = await probeDns(scenario.kube, scenario.name, client, {
          name: fqdn,
          type: addressRecordOf(clusterIP),
          count: canaryLookups,
          timeoutMs: 1000,
        });
        const problem = canaryProblem(results, clusterIP);
        return { satisfied: problem === undefined, value: problem ?? "all answered" };
      },
      { timeoutMs: seconds * 1000, intervalMs: 500 },
    );
    scenario.note(`cluster DNS answered for a new Service (${name}) after ${(elapsedMs / 1000).toFixed(1)} s`);
  } finally {
    await scenario.kube.core.deleteNamespacedService({ name, namespace: scenario.name }).catch(() => undefined);
  }
}

/** What is wrong with a round of canary lookups: any that failed or did not answer `clusterIP`; undefined if none. */
export function canaryProblem(results: readonly DnsProbeResult[], clusterIP: string): string | undefined {
  const wrong = results.filter((r) => !r.ok || !(r.answers ?? []).includes(clusterIP));
  if (results.length >= canaryLookups && wrong.length === 0) return undefined;
  const outcomes = new Map<string, number>();
  for (const r of wrong) {
    const outcome = r.ok ? `answered ${(r.answers ?? []).join(" ") || "nothing"}` : r.errorKind || "error";
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  const detail = [...outcomes].map(([outcome, n]) => `${n} ${outcome}`).join(", ");
  const short = results.length < canaryLookups ? `; ${results.length} of ${canaryLookups} lookups made` : "";
  return `${wrong.length} of ${results.length} lookups did not answer ${clusterIP}${detail ? ` (${detail})` : ""}${short}`;
}
