import { connectKube } from "../../support/kube/client.ts";
import { eventually } from "../../support/wait/eventually.ts";

/**
 * Proves CoreDNS answers: a one-shot pod resolves kubernetes.default.svc.cluster.local through the cluster DNS and
 * must get the kubernetes Service IP. Returns the time it took (milliseconds); throws with what was seen otherwise.
 */
export async function verifyClusterDns(kubeconfig: string, image: string): Promise<number> {
  const { core } = await connectKube(kubeconfig);
  const started = performance.now();
  const name = `kubequake-dns-check-${Date.now().toString(36)}`;
  const namespace = "default";
  const expected = (await core.readNamespacedService({ name: "kubernetes", namespace })).spec?.clusterIP;
  // On an IPv6-only cluster the kubernetes Service's address is IPv6: its record is AAAA.
  const recordType = expected?.includes(":") ? "AAAA" : "A";
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name, labels: { "app.kubernetes.io/managed-by": "kubequake" } },
      spec: {
        restartPolicy: "Never",
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: "check",
            image,
            imagePullPolicy: "IfNotPresent",
            args: [
              "probe-dns",
              "--name",
              "kubernetes.default.svc.cluster.local.",
              "--type",
              recordType,
              "--count",
              "3",
            ],
          },
        ],
      },
    },
  });
  try {
    await eventually(
      "the DNS check pod has finished",
      async () => {
        const pod = await core.readNamespacedPod({ name, namespace });
        const phase = pod.status?.phase ?? "Pending";
        return { satisfied: phase === "Succeeded" || phase === "Failed", value: phase };
      },
      { timeoutMs: 90_000, intervalMs: 300 },
    );
    const log = await core.readNamespacedPodLog({ name, namespace });
    const answer = JSON.parse(log) as { results: { ok: boolean; answers: string[] | null; error: string }[] };
    const bad = answer.results.find((r) => !r.ok || r.answers?.join() !== expected);
    if (bad) {
      throw new Error(
        `CoreDNS did not answer kubernetes.default.svc.cluster.local with ${expected}: saw ${bad.ok ? bad.answers?.join(", ") : bad.error}`,
      );
    }
    return performance.now() - started;
  } finally {
    await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
  }
}
