import { runCommand } from "../process/command.ts";
import type { Kube } from "./client.ts";

/**
 * The node a pod runs on and the host-side PID of its first container's main process, from the node's container
 * runtime (kind nodes are containers): what `kill` and `nsenter` on the node need.
 */
export async function containerMainProcess(
  kube: Kube,
  namespace: string,
  pod: string,
): Promise<{ pod: string; node: string; pid: string }> {
  const read = await kube.core.readNamespacedPod({ namespace, name: pod });
  const node = read.spec?.nodeName;
  const containerId = read.status?.containerStatuses?.[0]?.containerID?.replace(/^\w+:\/\//, "");
  if (!node || !containerId) throw new Error(`pod ${pod} has no running container (node ${node ?? "none"})`);
  const inspect = await runCommand(
    "docker",
    ["exec", node, "crictl", "inspect", "--output", "go-template", "--template", "{{.info.pid}}", containerId],
    { timeoutMs: 30_000 },
  );
  const pid = inspect.stdout.trim();
  if (!/^\d+$/.test(pid)) throw new Error(`crictl did not report the main PID of ${pod}'s container: "${pid}"`);
  return { pod, node, pid };
}

/**
 * SIGKILLs the main process of a pod's first container, from the node it runs on (the demo image has no shell): the
 * pod stays, and the kubelet restarts the container.
 */
export async function killMainProcess(kube: Kube, namespace: string, pod: string): Promise<void> {
  const { node, pid } = await containerMainProcess(kube, namespace, pod);
  await runCommand("docker", ["exec", node, "kill", "-KILL", pid], { timeoutMs: 30_000 });
}
