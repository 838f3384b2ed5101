import { createHash } from "node:crypto";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { eventually } from "../wait/eventually.ts";
import { loadKubeConfig } from "./health.ts";

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

/** Makes the cluster's CoreDNS hermetic if it is not; returns whether it changed anything. */
export async function ensureHermeticDns(kubeconfig: string): Promise<boolean> {
  const config = loadKubeConfig(kubeconfig);
  const core = config.makeApiClient(CoreV1Api);
  const apps = config.makeApiClient(AppsV1Api);
  const target = { name: "coredns", namespace: "kube-system" };
  const configMap = await core.readNamespacedConfigMap(target);
  const corefile = configMap.data?.Corefile ?? "";
  const hermetic = withoutUpstream(corefile);
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
