import { mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { runCommand } from "../process/command.ts";
import type { PinnedVersions } from "./versions.ts";

export const clusterName = process.env.KUBEQUAKE_CLUSTER ?? "kubequake";
/** kubequake's own kubeconfig, rewritten on every `cluster up` so a stale context can never be used. */
export const kubeconfigPath = process.env.KUBEQUAKE_KUBECONFIG ?? join(homedir(), ".kube", "kubequake.config");
export const workerCount = 2;

/** A kind node container as Docker reports it. */
export interface NodeContainer {
  readonly name: string;
  readonly state: string;
  readonly image: string;
  readonly role: string;
}

export async function listNodeContainers(cluster = clusterName): Promise<NodeContainer[]> {
  const result = await runCommand(
    "docker",
    [
      "ps",
      "-a",
      "--filter",
      `label=io.x-k8s.kind.cluster=${cluster}`,
      "--format",
      '{{.Names}}\t{{.State}}\t{{.Image}}\t{{.Label "io.x-k8s.kind.role"}}',
    ],
    { timeoutMs: 30_000 },
  );
  return result.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [name = "", state = "", image = "", role = ""] = line.split("\t");
      return { name, state, image, role };
    });
}

/** kind's cluster config: 1 control plane + 2 workers on one node image, iptables kube-proxy. */
export function kindConfig(nodeImage: string, versions: PinnedVersions, builtOffline: boolean): string {
  const node = (role: string) => ({ role, image: nodeImage });
  const config: Record<string, unknown> = {
    kind: "Cluster",
    apiVersion: "kind.x-k8s.io/v1alpha4",
    name: clusterName,
    networking: { kubeProxyMode: "iptables" },
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
  const containers = await listNodeContainers();
  if (containers.length > 0) {
    await runCommand("docker", ["rm", "-f", "-v", ...containers.map((c) => c.name)], { timeoutMs: 5 * 60_000 });
  }
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
