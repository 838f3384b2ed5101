import type { V1Pod } from "@kubernetes/client-node";
import { metallbNamespace, readMetallb } from "../cluster/metallb.ts";
import { UserError } from "../errors/user-error.ts";
import type { Kube } from "../kube/client.ts";
import type { ClusterNode } from "../nodes/registry.ts";
import { announcingNodes } from "../outside/load-balancer.ts";
import { runCommand } from "../process/command.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";
import { defineFault } from "./declaration.ts";
import { controlPlaneContainerOf, nodeContainerOf } from "./targets.ts";

/**
 * MetalLB faults (L2 mode): the speaker that answers ARP for a load-balancer address is what moves the address
 * between nodes, so these measure how fast it moves while traffic comes from outside the cluster.
 */

const speakerSelector = "app=metallb,component=speaker";

/** The MetalLB speaker pod on `node`; a UserError when MetalLB runs none there. */
async function speakerPodOn(kube: Kube, node: string): Promise<V1Pod> {
  const pods = await kube.core.listNamespacedPod({
    namespace: metallbNamespace,
    labelSelector: speakerSelector,
    fieldSelector: `spec.nodeName=${node}`,
  });
  const [pod] = pods.items;
  if (!pod) {
    throw new UserError(
      `no MetalLB speaker pod (${speakerSelector} in ${metallbNamespace}) runs on the node "${node}"`,
      "this fault needs MetalLB in L2 mode (kubequake's own cluster has it) and a node whose speaker runs.",
    );
  }
  return pod;
}

const restartsOf = (pod: V1Pod) => pod.status?.containerStatuses?.find((c) => c.name === "speaker")?.restartCount ?? 0;

/** How long MetalLB must stay whole before it counts as whole: after a node's return it can be ready, then crash. */
const metallbSettledMs = 20_000;

/**
 * MetalLB is whole again: its controller and every speaker ready, and each LoadBalancer Service of the scenario that
 * has an address announced by exactly one node, without a break for 20 s. After a speaker's or a node's loss MetalLB
 * can crash-loop for about a minute, ready now and then in between, and a scenario started meanwhile would get no
 * address (seen: a LoadBalancer Service right after such a scenario got none within 10 s).
 */
export async function waitUntilMetallbWhole(scenario: ScenarioContext, seconds: number): Promise<void> {
  let wholeSince: number | undefined;
  await eventually(
    `MetalLB is whole again for ${metallbSettledMs / 1000} s (controller and every speaker ready, each load-balancer address of the scenario announced by one node)`,
    async () => {
      const problems: string[] = [];
      const state = await readMetallb(scenario.kube);
      if (state.problem === "not installed") return { satisfied: true, value: "MetalLB is not installed" };
      if (state.problem) problems.push(`MetalLB ${state.problem}`);
      const services = await scenario.kube.core.listNamespacedService({ namespace: scenario.name });
      for (const service of services.items) {
        const name = service.metadata?.name ?? "";
        if (service.spec?.type !== "LoadBalancer" || !service.status?.loadBalancer?.ingress?.length) continue;
        const nodes = await announcingNodes(scenario, name);
        if (nodes.length !== 1) problems.push(`${name}'s address announced by ${nodes.join(", ") || "no node"}`);
      }
      const now = Date.now();
      wholeSince = problems.length === 0 ? (wholeSince ?? now) : undefined;
      const settled = wholeSince !== undefined && now - wholeSince >= metallbSettledMs;
      return {
        satisfied: settled,
        value: problems.join("; ") || `whole for ${((now - (wholeSince ?? now)) / 1000).toFixed(0)} s`,
      };
    },
    { timeoutMs: seconds * 1000, intervalMs: 1000 },
  );
}

/**
 * The MetalLB speaker on a node is killed (its container stopped at once, as a crash would): the other speakers see
 * it leave and one of them takes over the addresses it announced; the kubelet restarts it.
 */
export const metallbSpeakerKilled = defineFault({
  phrase: "the MetalLB speaker on the node {node} is killed",
  doc: "The MetalLB speaker container on the node is stopped at once, as a crash would (the kubelet restarts it); at the end of the scenario a speaker that is not ready then is replaced, and MetalLB is waited for until every speaker is ready and each load-balancer address is announced again. Needs @serial.",
  scope: "cluster",
  timeoutMs: 300_000,
  plan: async (scenario: ScenarioContext, node: ClusterNode) => {
    const container = await nodeContainerOf(scenario, node.name);
    const controlPlane = await controlPlaneContainerOf(scenario);
    const pod = await speakerPodOn(scenario.kube, node.name);
    const podName = pod.metadata?.name ?? "";
    const restartsBefore = restartsOf(pod);
    // Replaces the speaker pod only if it is not ready by then (a crash-loop back-off can last minutes); a speaker
    // the kubelet has already brought back is left alone. Harmless to run twice.
    const readiness = `{.status.containerStatuses[?(@.name=="speaker")].ready}`;
    const k = `kubectl --kubeconfig /etc/kubernetes/admin.conf -n ${metallbNamespace}`;
    const undo = [
      "docker",
      "exec",
      controlPlane,
      "sh",
      "-c",
      `[ "$(${k} get pod ${podName} --ignore-not-found -o jsonpath='${readiness}')" != "false" ] || ${k} delete pod ${podName} --wait=false`,
    ];
    return {
      label: `MetalLB speaker ${podName} on ${node.name} killed`,
      apply: async () => {
        await runCommand(
          "docker",
          ["exec", container, "sh", "-c", "crictl ps --name '^speaker$' -q | xargs -r crictl stop -t 0"],
          { timeoutMs: 60_000 },
        );
      },
      proof: async () => {
        // Stopped, or already restarted: the kubelet restarts it at once the first time, and after a back-off that
        // doubles from 10 s when it was killed again within 10 minutes.
        await eventually(
          `the speaker ${podName} on ${node.name} stopped (not running, or restarted by the kubelet)`,
          async () => {
            const now = await scenario.kube.core.readNamespacedPod({ name: podName, namespace: metallbNamespace });
            const status = now.status?.containerStatuses?.find((c) => c.name === "speaker");
            const stopped = restartsOf(now) > restartsBefore || status?.state?.running === undefined;
            return {
              satisfied: stopped,
              value: `${restartsOf(now)} restarts, state ${Object.keys(status?.state ?? {})}`,
            };
          },
          { timeoutMs: 30_000, intervalMs: 250 },
        );
      },
      undo: { argv: undo },
      whole: () => waitUntilMetallbWhole(scenario, 240),
    };
  },
});
