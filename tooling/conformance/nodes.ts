import { connectKube } from "../../support/kube/client.ts";

/**
 * How many nodes e2e.test may schedule test pods on: Ready, not cordoned, without a NoSchedule/NoExecute taint (the
 * rule of e2e.test's own GetReadySchedulableNodes). e2e.test counts them itself only in the first Ginkgo process of a
 * parallel run; the others keep "-1" and skip every test that needs 2 nodes ("Requires at least 2 nodes (not -1)"),
 * so the count is handed to all of them with --num-nodes, as Kubernetes' hack/ginkgo-e2e.sh does.
 */
export async function schedulableNodeCount(kubeconfigPath: string): Promise<number> {
  const kube = await connectKube(kubeconfigPath);
  const nodes = await kube.core.listNode();
  return nodes.items.filter((node) => {
    const ready = node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
    const tainted = (node.spec?.taints ?? []).some((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
    return ready && !node.spec?.unschedulable && !tainted;
  }).length;
}
