import { homedir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../process/command.ts";

export const clusterName = process.env.KUBEQUAKE_CLUSTER ?? "kubequake";
/** kubequake's own kubeconfig, rewritten on every `cluster up` so a stale context can never be used. */
export const kubeconfigPath = process.env.KUBEQUAKE_KUBECONFIG ?? join(homedir(), ".kube", "kubequake.config");
export const workerCount = 2;
/** Where kubequake keeps what it builds and its state (the fault ledger) on this machine. */
export const cacheRoot = process.env.KUBEQUAKE_CACHE ?? join(homedir(), ".cache", "kubequake");
/**
 * The DNS zone whose names CoreDNS answers with the address they spell (ip-172-18-0-9.outside.test -> 172.18.0.9), so
 * an ExternalName Service can name a container outside the cluster; `cluster up` configures it.
 */
export const outsideZone = "outside.test";

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
