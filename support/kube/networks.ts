import { parse } from "yaml";
import { UserError } from "../errors/user-error.ts";
import type { Kube } from "./client.ts";
import { nodeInternalIPs } from "./nodes.ts";

/**
 * The only destinations kubequake's clients may connect to (demo image's ALLOWED_NETWORKS): the cluster's pod and
 * Service subnets and each node's own address. Read from kubeadm's ClusterConfiguration, as kind uses kubeadm;
 * KUBEQUAKE_ALLOWED_NETWORKS overrides it for clusters that kubeadm did not make.
 */
export async function clusterNetworks(kube: Kube): Promise<string> {
  const override = process.env.KUBEQUAKE_ALLOWED_NETWORKS;
  if (override) return override;
  const config = await kube.core
    .readNamespacedConfigMap({ name: "kubeadm-config", namespace: "kube-system" })
    .catch(() => undefined);
  const networking = (parse(config?.data?.ClusterConfiguration ?? "") as { networking?: Record<string, string> } | null)
    ?.networking;
  if (!networking?.podSubnet || !networking.serviceSubnet) {
    throw new UserError(
      "cannot tell this cluster's pod and Service subnets (no kube-system/kubeadm-config ClusterConfiguration), so kubequake's clients would not know where they may connect.",
      "set KUBEQUAKE_ALLOWED_NETWORKS to the cluster's CIDRs, e.g. 10.244.0.0/16,10.96.0.0/16,172.18.0.2/32.",
    );
  }
  const nodeIPs = (await nodeInternalIPs(kube)).map((ip) => `${ip}/32`);
  return [networking.podSubnet, networking.serviceSubnet, ...nodeIPs].join(",");
}
