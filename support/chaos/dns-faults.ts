import { addressRecordOf, describeLookup, resolveName, serviceFqdn } from "../dns/lookup.ts";
import { UserError } from "../errors/user-error.ts";
import { apiStatus } from "../kube/client.ts";
import type { DnsProbeResult } from "../kube/prober.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";
import { defineFault } from "./declaration.ts";
import { controlPlaneContainerOf } from "./targets.ts";

/** What CoreDNS is made to answer for the zone: a server failure, or "no such name". */
export type DnsFailure = "SERVFAIL" | "NXDOMAIN";

/**
 * A server block that answers every query under `zone` with `rcode` (CoreDNS's `template` plugin): CoreDNS sends a
 * query to the block of the longest zone that contains it, so only names under `zone` change, and every other name
 * (other Services, other namespaces, the outside) is still answered by the blocks already there.
 */
export function failingZoneBlock(zone: string, rcode: DnsFailure): string {
  return [`${zone}:53 {`, "    errors", `    template ANY ANY ${zone} {`, `        rcode ${rcode}`, "    }", "}"].join(
    "\n",
  );
}

/** The Corefile with the failing block added once, after what was there (the previous Corefile is kept exactly). */
export function corefileWithFailingZone(corefile: string, zone: string, rcode: DnsFailure): string {
  return `${corefile.replace(/\n*$/, "\n")}${failingZoneBlock(zone, rcode)}\n`;
}

/**
 * CoreDNS answers SERVFAIL or NXDOMAIN for a Service's name and everything under it (`web.<namespace>.svc.cluster.local`),
 * the narrowest zone that still breaks what a client of that Service looks up: other Services and namespaces are
 * answered as before. A cluster fault (CoreDNS serves everyone), so it needs @serial. The change goes in the CoreDNS
 * ConfigMap; CoreDNS's `reload` plugin notices the mounted file changed (it checks every 30 s, plus up to 15 s of
 * jitter), after the kubelet refreshed the volume, so the proof and "whole" wait for real lookups, and the time it
 * takes is part of what a scenario measures. The undo writes back the exact previous Corefile.
 */
export const coreDnsFailsForService = defineFault({
  phrase: "CoreDNS answers {dnsFailure} for the Service {string}",
  doc: "CoreDNS answers SERVFAIL or NXDOMAIN for the Service's name and every name under it (a server block with the template plugin in its ConfigMap), other names as before; the exact previous Corefile is written back at the end of the scenario. Needs @serial.",
  scope: "cluster",
  timeoutMs: 5 * 60_000,
  plan: async (scenario: ScenarioContext, rcode: DnsFailure, service: string) => {
    const record = await requireService(scenario, service);
    const zone = serviceFqdn(service, scenario.name);
    const configMap = await scenario.kube.core.readNamespacedConfigMap({ name: "coredns", namespace: "kube-system" });
    const previous = configMap.data?.Corefile;
    if (previous === undefined) {
      throw new UserError(
        "the ConfigMap kube-system/coredns has no Corefile, so kubequake cannot make CoreDNS answer differently for one zone",
        "run this fault on a cluster whose DNS is CoreDNS configured from that ConfigMap (kind and kubeadm clusters are).",
      );
    }
    const controlPlane = await controlPlaneContainerOf(scenario);
    // kubectl in the control-plane node, so the undo is a docker command the fault ledger can run after a crash.
    const writeCorefile = (corefile: string) => [
      "docker",
      "exec",
      controlPlane,
      "kubectl",
      "--kubeconfig",
      "/etc/kubernetes/admin.conf",
      "-n",
      "kube-system",
      "patch",
      "configmap",
      "coredns",
      "--type",
      "merge",
      "-p",
      JSON.stringify({ data: { Corefile: corefile } }),
    ];
    // With the final dot the name is looked up as it is, not first with the pod's search domains appended.
    // Its record of the Service's primary family: an A lookup of an IPv6-only Service finds no record when all is well.
    const lookUp = () => resolveName(scenario, `${zone}.`, record);
    let changedAt = 0;
    return {
      label: `CoreDNS answers ${rcode} for ${zone}`,
      apply: async () => {
        changedAt = Date.now();
        await scenario.kube.core.patchNamespacedConfigMap({
          name: "coredns",
          namespace: "kube-system",
          body: [{ op: "replace", path: "/data/Corefile", value: corefileWithFailingZone(previous, zone, rcode) }],
        });
        await nudgeCoreDnsPods(scenario);
      },
      proof: async () => {
        await answeredInARow(scenario, changedAt, `lookups of ${zone} answer ${rcode}`, lookUp, (lookup) =>
          rcode === "NXDOMAIN" ? lookup.errorKind === "nxdomain" : !lookup.ok && lookup.errorKind === "other",
        );
        // Every replica has reloaded the fault's Corefile by now, so a reload from here on is the undo's.
        changedAt = Date.now();
      },
      undo: { argv: writeCorefile(previous) },
      whole: async () => {
        await nudgeCoreDnsPods(scenario);
        await answeredInARow(
          scenario,
          changedAt,
          `lookups of ${zone} are answered again`,
          lookUp,
          (lookup) => lookup.ok && (lookup.answers ?? []).length > 0,
        );
      },
    };
  },
});

/** Lookups in a row that must agree, once every replica has reloaded. */
const lookupsInARow = 3;

/**
 * Waits until every CoreDNS replica has logged a completed reload since `sinceUnixMs` (each replica reloads on its
 * own, and a lookup reaches either: lookups alone once passed while one replica still answered the old way), and then
 * {@link lookupsInARow} lookups in a row are as `wanted` says; for up to 150 s: the kubelet's refresh of the mounted
 * ConfigMap, then the reload plugin's check (every 30 s, plus up to 15 s of jitter).
 */
async function answeredInARow(
  scenario: ScenarioContext,
  sinceUnixMs: number,
  description: string,
  lookUp: () => Promise<DnsProbeResult>,
  wanted: (lookup: DnsProbeResult) => boolean,
): Promise<void> {
  let streak = 0;
  await eventually(
    `every CoreDNS replica reloads its Corefile, then ${description}, ${lookupsInARow} lookups in a row`,
    async () => {
      const waiting = await replicasNotReloadedSince(scenario, sinceUnixMs);
      if (waiting.length > 0) return { satisfied: false, value: `not reloaded yet: ${waiting.join(", ")}` };
      const lookup = await lookUp();
      streak = wanted(lookup) ? streak + 1 : 0;
      return { satisfied: streak >= lookupsInARow, value: `${describeLookup(lookup)}, ${streak} in a row` };
    },
    { timeoutMs: 150_000, intervalMs: 300 },
  );
}

/** The CoreDNS pods that have not logged "Reloading complete" since `sinceUnixMs`, nor started since. */
async function replicasNotReloadedSince(scenario: ScenarioContext, sinceUnixMs: number): Promise<string[]> {
  const pods = await scenario.kube.core.listNamespacedPod({
    namespace: "kube-system",
    labelSelector: "k8s-app=kube-dns",
  });
  const waiting: string[] = [];
  for (const pod of pods.items) {
    const name = pod.metadata?.name ?? "";
    // A replica (re)started since then read the current Corefile when it started: it has nothing to reload.
    const started = pod.status?.containerStatuses?.[0]?.state?.running?.startedAt;
    if (started && new Date(started).getTime() >= sinceUnixMs) continue;
    const log = await scenario.kube.core.readNamespacedPodLog({
      name,
      namespace: "kube-system",
      timestamps: true,
      sinceSeconds: Math.ceil((Date.now() - sinceUnixMs) / 1000) + 1,
    });
    if (!reloadedSince(String(log), sinceUnixMs)) waiting.push(name);
  }
  return waiting;
}

/** Whether a CoreDNS log (with the kubelet's timestamps) has a completed reload at or after `sinceUnixMs`. */
export function reloadedSince(log: string, sinceUnixMs: number): boolean {
  return log
    .split("\n")
    .some((line) => line.includes("Reloading complete") && Date.parse(line.split(" ")[0] ?? "") >= sinceUnixMs);
}

/**
 * Annotates the CoreDNS pods, so that their kubelets sync them now and refresh the mounted ConfigMap, instead of at
 * their next periodic sync (up to a minute later). What is left is the reload plugin's own check of the file.
 */
async function nudgeCoreDnsPods(scenario: ScenarioContext): Promise<void> {
  const pods = await scenario.kube.core.listNamespacedPod({
    namespace: "kube-system",
    labelSelector: "k8s-app=kube-dns",
  });
  for (const pod of pods.items) {
    await scenario.kube.core.patchNamespacedPod({
      name: pod.metadata?.name ?? "",
      namespace: "kube-system",
      body: [
        {
          op: pod.metadata?.annotations ? "add" : "replace",
          path: pod.metadata?.annotations
            ? "/metadata/annotations/kubequake.dev~1corefile-changed"
            : "/metadata/annotations",
          value: pod.metadata?.annotations
            ? new Date().toISOString()
            : { "kubequake.dev/corefile-changed": new Date().toISOString() },
        },
      ],
    });
  }
}

/**
 * The address record a lookup of the Service asks for: of its primary family (`ipFamilies[0]`, which a headless
 * Service has too), else of its ClusterIP; a UserError when there is no such Service.
 */
async function requireService(scenario: ScenarioContext, service: string): Promise<"A" | "AAAA"> {
  try {
    const { spec } = await scenario.kube.core.readNamespacedService({ name: service, namespace: scenario.name });
    const primary = spec?.ipFamilies?.[0];
    return primary ? (primary === "IPv6" ? "AAAA" : "A") : addressRecordOf(spec?.clusterIP);
  } catch (error) {
    if (apiStatus(error) !== 404) throw error;
    throw new UserError(
      `there is no Service "${service}" in the scenario's namespace, so there is no name of it for CoreDNS to fail`,
      `create it first, e.g. Given the demo backend runs 2 replicas behind the ClusterIP Service "${service}".`,
    );
  }
}
