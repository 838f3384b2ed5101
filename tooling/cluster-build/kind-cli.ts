// The kind command line as `cluster up` and `cluster down` use it: create, delete, export the kubeconfig, load images.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";
import {
  clusterName,
  ipFamily,
  kindNetworkName,
  kubeconfigPath,
  listNodeContainers,
  proxyMode,
  workerCount,
} from "../../support/cluster/kind.ts";
import { runCommand } from "../../support/process/command.ts";
import { eventually } from "../../support/wait/eventually.ts";
import type { PinnedVersions } from "./versions.ts";

/** kind's cluster config: 1 control plane + 2 workers on one node image, kube-proxy in the variant's mode. */
export function kindConfig(nodeImage: string, versions: PinnedVersions, builtOffline: boolean): string {
  const node = (role: string) => ({ role, image: nodeImage });
  const config: Record<string, unknown> = {
    kind: "Cluster",
    apiVersion: "kind.x-k8s.io/v1alpha4",
    name: clusterName,
    // kind picks both families' pod and Service subnets for "dual" (10.244.0.0/16 + fd00:10:244::/56, 10.96.0.0/16 +
    // fd00:10:96::/112); the node image's flannel takes them from there (images/flannel/flannel-node).
    networking: { kubeProxyMode: proxyMode, ...(ipFamily === "ipv4" ? {} : { ipFamily }) },
    nodes: [node("control-plane"), ...Array.from({ length: workerCount }, () => node("worker"))],
    // Hosts without CAP_SYS_RESOURCE cannot lower oom_score_adj; harmless elsewhere.
    containerdConfigPatches: ['[plugins."io.containerd.grpc.v1.cri"]\n  restrict_oom_score_adj = true'],
  };
  if (builtOffline) {
    // Offline-built nodes carry CoreDNS and etcd under the tags built from versions.env rather than kubeadm's defaults.
    const clusterConfiguration = {
      kind: "ClusterConfiguration",
      dns: { imageTag: versions.COREDNS_VERSION },
      etcd: { local: { imageTag: versions.ETCD_IMAGE_TAG } },
    };
    config.kubeadmConfigPatches = [stringify(clusterConfiguration)];
  }
  return stringify(config);
}

export async function createCluster(kind: string, config: string, configFile: string, logFile: string): Promise<void> {
  mkdirSync(dirname(configFile), { recursive: true });
  writeFileSync(configFile, config);
  mkdirSync(dirname(kubeconfigPath), { recursive: true });
  await runCommand(kind, ["create", "cluster", "--config", configFile, "--kubeconfig", kubeconfigPath, "--retain"], {
    timeoutMs: 10 * 60_000,
    logFile,
    // The variant's network, made and sealed before this (seal.ts): kind joins it rather than making "kind".
    env: { ...process.env, KIND_EXPERIMENTAL_DOCKER_NETWORK: kindNetworkName },
  });
}

export async function deleteCluster(kind: string | undefined): Promise<void> {
  if (kind) {
    await runCommand(kind, ["delete", "cluster", "--name", clusterName, "--kubeconfig", kubeconfigPath], {
      timeoutMs: 5 * 60_000,
    });
    return;
  }
  // Without a kind binary (caches wiped), remove the node containers by their kind label.
  await removeLeftoverNodeContainers();
}

/**
 * Removes node containers of the cluster that outlive `kind delete`: a `kind create` stopped while "Preparing nodes"
 * leaves `docker run`s that the daemon finishes after kind is gone (seen: a Ctrl-C there left three nodes "Created"),
 * so containers are removed until none has appeared for 3 seconds.
 */
export async function removeLeftoverNodeContainers(): Promise<void> {
  let quietSince = Date.now();
  await eventually(
    `no node container of "${clusterName}" appears for 3 s`,
    async () => {
      const left = await listNodeContainers();
      if (left.length > 0) {
        await runCommand("docker", ["rm", "-f", "-v", ...left.map((c) => c.name)], { timeoutMs: 120_000 });
        quietSince = Date.now();
      }
      return {
        satisfied: Date.now() - quietSince >= 3000,
        value: left.length > 0 ? `removed ${left.map((c) => c.name).join(", ")}` : "none left",
      };
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}

export async function exportKubeconfig(kind: string): Promise<void> {
  mkdirSync(dirname(kubeconfigPath), { recursive: true });
  await runCommand(kind, ["export", "kubeconfig", "--name", clusterName, "--kubeconfig", kubeconfigPath], {
    timeoutMs: 60_000,
  });
}

/** Images present in a node's containerd (k8s.io namespace). */
export async function nodeImages(node: string): Promise<string[]> {
  const result = await runCommand("docker", ["exec", node, "crictl", "images", "-o", "json"], { timeoutMs: 60_000 });
  const parsed = JSON.parse(result.stdout) as { images: { repoTags: string[] | null }[] };
  return parsed.images.flatMap((image) => image.repoTags ?? []);
}

export async function loadImage(kind: string, images: readonly string[], logFile: string): Promise<void> {
  await runCommand(kind, ["load", "docker-image", ...images, "--name", clusterName], {
    timeoutMs: 5 * 60_000,
    logFile,
  });
}
