import { runCommand } from "../process/command.ts";
import type { Kube } from "./client.ts";

/**
 * Finds the Docker container of a node of the pod's own cluster (support/chaos/targets.ts nodeContainerOf, bound to
 * the scenario): never a name made up here, so a pod of another cluster is never entered on the wrong one.
 */
export type NodeContainerOf = (node: string) => Promise<string>;

/**
 * The node container a pod runs in and the host-side PID of its first container's main process, from the node's
 * container runtime (kind nodes are containers): what `kill` and `nsenter` in the node need.
 */
export async function containerMainProcess(
  kube: Kube,
  containerOf: NodeContainerOf,
  namespace: string,
  pod: string,
): Promise<{ pod: string; node: string; pid: string }> {
  const read = await kube.core.readNamespacedPod({ namespace, name: pod });
  const node = read.spec?.nodeName;
  const containerId = read.status?.containerStatuses?.[0]?.containerID?.replace(/^\w+:\/\//, "");
  if (!node || !containerId) throw new Error(`pod ${pod} has no running container (node ${node ?? "none"})`);
  const container = await containerOf(node);
  const inspect = await runCommand(
    "docker",
    ["exec", container, "crictl", "inspect", "--output", "go-template", "--template", "{{.info.pid}}", containerId],
    { timeoutMs: 30_000 },
  );
  const pid = inspect.stdout.trim();
  if (!/^\d+$/.test(pid)) throw new Error(`crictl did not report the main PID of ${pod}'s container: "${pid}"`);
  return { pod, node: container, pid };
}

/**
 * SIGKILLs the main process of a pod's first container, from the node it runs on (the demo image has no shell): the
 * pod stays, and the kubelet restarts the container.
 */
export async function killMainProcess(
  kube: Kube,
  containerOf: NodeContainerOf,
  namespace: string,
  pod: string,
): Promise<void> {
  const { node, pid } = await containerMainProcess(kube, containerOf, namespace, pod);
  await runCommand("docker", ["exec", node, "kill", "-KILL", pid], { timeoutMs: 30_000 });
}
