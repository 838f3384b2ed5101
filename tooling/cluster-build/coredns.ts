import { createHash } from "node:crypto";
import { outsideZone } from "../../support/cluster/kind.ts";
import { connectKube } from "../../support/kube/client.ts";
import { eventually } from "../../support/wait/eventually.ts";

const clusterZones = "cluster.local:53 in-addr.arpa:53 ip6.arpa:53";
const nxdomainBlock = `.:53 {
    errors
    template ANY ANY {
       rcode NXDOMAIN
    }
}
`;

/**
 * Makes a kubeadm Corefile hermetic: its server block serves only the cluster's zones, without `forward`, and every
 * other name is answered NXDOMAIN locally (as an upstream resolver would for names that do not exist). A name that is
 * not (yet) a Service would otherwise fall through the search list to the host's resolver and reach some address
 * outside the machine; kubequake's clusters must stay hermetic. Idempotent.
 */
export function withoutUpstream(corefile: string): string {
  if (corefile.includes("rcode NXDOMAIN")) return corefile;
  const noForward = corefile.replace(/^[ \t]*forward[ \t]+\.[^\n{]*(\{[^}]*\})?[ \t]*\n/gm, "");
  return `${noForward.replace(/^\.:53 \{/m, `${clusterZones} {`)}${nxdomainBlock}`;
}

/**
 * `ip-172-18-0-7.outside.test` answers A 172.18.0.7: names for containers on the kind network that need no record
 * per container (nothing to add or remove per scenario, nothing that could leak), other types of those names answer
 * NODATA, and every other name in the zone NXDOMAIN. Only used for addresses on this machine: clients connect only to
 * the networks they are allowed.
 */
const outsideZoneBlock = `${outsideZone}:53 {
    errors
    template IN A ${outsideZone} {
       match "^ip-([0-9]+)-([0-9]+)-([0-9]+)-([0-9]+)[.]outside[.]test[.]$"
       answer "{{ .Name }} 5 IN A {{ index .Match 1 }}.{{ index .Match 2 }}.{{ index .Match 3 }}.{{ index .Match 4 }}"
       fallthrough
    }
    template ANY ANY ${outsideZone} {
       match "^ip-([0-9]+)-([0-9]+)-([0-9]+)-([0-9]+)[.]outside[.]test[.]$"
       rcode NOERROR
       fallthrough
    }
    template ANY ANY ${outsideZone} {
       rcode NXDOMAIN
    }
}
`;

/** Adds the {@link outsideZone} server block before the catch-all block (or at the end). Idempotent. */
export function withOutsideZone(corefile: string): string {
  if (corefile.includes(`${outsideZone}:53 {`)) return corefile;
  const catchAll = corefile.search(/^\.:53 \{/m);
  return catchAll < 0
    ? `${corefile}${outsideZoneBlock}`
    : `${corefile.slice(0, catchAll)}${outsideZoneBlock}${corefile.slice(catchAll)}`;
}

/** Makes the cluster's CoreDNS hermetic (and serve the outside zone) if it is not; returns whether it changed anything. */
export async function ensureHermeticDns(kubeconfig: string): Promise<boolean> {
  const { core, apps } = await connectKube(kubeconfig);
  const target = { name: "coredns", namespace: "kube-system" };
  const configMap = await core.readNamespacedConfigMap(target);
  const corefile = configMap.data?.Corefile ?? "";
  const hermetic = withOutsideZone(withoutUpstream(corefile));
  if (hermetic === corefile) return false;
  await core.replaceNamespacedConfigMap({
    ...target,
    body: { ...configMap, data: { ...configMap.data, Corefile: hermetic } },
  });
  // Restart now rather than wait up to 30 s for the reload plugin; the annotation records which Corefile is live.
  const digest = createHash("sha256").update(hermetic).digest("hex").slice(0, 12);
  const deployment = await apps.readNamespacedDeployment(target);
  const annotations = { ...deployment.spec?.template.metadata?.annotations, "kubequake.dev/corefile": digest };
  await apps.patchNamespacedDeployment({
    ...target,
    body: [{ op: "add", path: "/spec/template/metadata/annotations", value: annotations }],
  });
  await eventually(
    "CoreDNS rolled out with the hermetic Corefile",
    async () => {
      const current = await apps.readNamespacedDeployment(target);
      const status = current.status ?? {};
      const want = current.spec?.replicas ?? 1;
      const done =
        (status.observedGeneration ?? 0) >= (current.metadata?.generation ?? 0) &&
        status.updatedReplicas === want &&
        status.readyReplicas === want &&
        (status.replicas ?? 0) === want;
      return { satisfied: done, value: status };
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  return true;
}
