import type { Kube } from "./client.ts";

/** Every node's InternalIP (the address kube-proxy serves NodePorts on), in API order. */
export async function nodeInternalIPs(kube: Kube): Promise<string[]> {
  const nodes = await kube.core.listNode();
  return nodes.items.flatMap((n) =>
    (n.status?.addresses ?? []).filter((a) => a.type === "InternalIP").map((a) => a.address),
  );
}
