import { clientPodOnNode } from "../clients/registry.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import type { Backend } from "../services/backend.ts";
import type { Service } from "../services/service.ts";
import { clusterNodes } from "./targets.ts";
import { eventuallyTimed } from "./timing.ts";

/** A Service traffic policy as a step names it: "externalTrafficPolicy Local", "internalTrafficPolicy Cluster". */
export interface TrafficPolicy {
  readonly field: "externalTrafficPolicy" | "internalTrafficPolicy";
  readonly value: "Local" | "Cluster";
}

export const trafficPolicyPattern = /(externalTrafficPolicy|internalTrafficPolicy) (Local|Cluster)/;

export function parseTrafficPolicy(field: string, value: string): TrafficPolicy {
  return { field: field as TrafficPolicy["field"], value: value as TrafficPolicy["value"] };
}

/**
 * Sets a traffic policy on a Service of the scenario (kube-proxy applies it on its next sync: assert with a
 * "within" step). Not waited for in service: with a Local policy, a client on another node may rightly get nothing.
 */
export async function setTrafficPolicy(service: Service, policy: TrafficPolicy) {
  const { scenario, name } = service;
  // A patch, not read-modify-replace: a LoadBalancer Service is written by its controller too (MetalLB), and a
  // replace based on an older read is refused with 409 Conflict (seen right after a change to type LoadBalancer).
  await scenario.kube.core.patchNamespacedService({
    name,
    namespace: scenario.name,
    body: [{ op: "add", path: `/spec/${policy.field}`, value: policy.value }],
  });
  scenario.recordAction("patched", `Service ${name}: ${policy.field} set to ${policy.value}`, [], name);
}

/**
 * internalTrafficPolicy Local: sends from a client pod on each node until a client on a node running a ready pod of
 * `backend` gets every request answered by that node's pods, and a client on any other node gets none answered.
 */
export async function waitUntilOnlyLocalClientsAnswered(
  scenario: ScenarioContext,
  options: { seconds: number; count: number; url: string; backend: Backend },
): Promise<void> {
  const nodes = await clusterNodes(scenario);
  await eventuallyTimed(
    scenario,
    `only client pods on a node running a ready pod of ${options.backend.name} get answers from ${options.url}, from that node's pods`,
    async () => {
      const ready = await options.backend.readyPods();
      const seen = await Promise.all(
        nodes.map(async (node) => {
          const local = ready.filter((p) => p.node === node.name).map((p) => p.name);
          const client = clientPodOnNode(scenario, node.name);
          const result = await client.send({ url: options.url, count: options.count, timeoutMs: 1000 });
          const answers = result.probe.results.filter((r) => r.ok);
          const good =
            local.length > 0
              ? answers.length === options.count && answers.every((r) => local.includes(r.pod))
              : answers.length === 0;
          const by = [...new Set(answers.map((r) => r.pod))].join(" ") || "none";
          return {
            good,
            text: `${node.name} (local: ${local.join(" ") || "none"}): ${answers.length}/${options.count} answered by ${by}`,
          };
        }),
      );
      // With no ready pod anywhere every node rightly answers nothing, and the check would pass having judged nothing.
      const none = ready.length === 0 ? [`${options.backend.name} has no ready pod`] : [];
      return {
        satisfied: none.length === 0 && seen.every((s) => s.good),
        value: [...none, ...seen.map((s) => s.text)].join("; "),
      };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 500 },
  );
}
