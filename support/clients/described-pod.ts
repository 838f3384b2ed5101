import type { V1Pod } from "@kubernetes/client-node";
import { parse } from "yaml";
import { UserError } from "../errors/user-error.ts";
import { proberPod } from "../kube/workloads.ts";
import { nodeNamesOnThisCluster } from "../nodes/names.ts";
import { clusterNode } from "../nodes/registry.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { createClientPodNow } from "./registry.ts";

/**
 * A client pod of the scenario shaped by the QA's YAML: pod spec fields (dnsPolicy, dnsConfig, hostname, subdomain,
 * nodeName…) and metadata labels are merged into kubequake's prober pod, whose container stays kubequake's. Steps
 * then name it as a client: "the pod "<name>"".
 */
export async function createClientPod(
  scenario: ScenarioContext,
  name: string,
  yamlText: string,
  source: string,
): Promise<void> {
  // A kind node name (nodeName: kubequake-worker) means that node of the run's own cluster.
  const given = (parse(nodeNamesOnThisCluster(yamlText)) ?? {}) as {
    metadata?: { labels?: Record<string, string> };
    spec?: V1Pod["spec"];
  };
  if (
    typeof given !== "object" ||
    Array.isArray(given) ||
    Object.keys(given).some((k) => k !== "metadata" && k !== "spec")
  ) {
    throw new UserError(
      `${source}: a client pod is described by "metadata:" (labels) and "spec:" (pod fields), saw ${JSON.stringify(Object.keys(given))}`,
      "write e.g.\n  spec:\n    dnsPolicy: None\n    dnsConfig: {nameservers: [10.96.0.10]}",
    );
  }
  if (given.spec?.containers) {
    throw new UserError(
      `${source}: a client pod's container is kubequake's (the prober); the YAML may not set spec.containers`,
      "set only pod-level fields such as dnsPolicy, dnsConfig, hostname, subdomain or nodeName.",
    );
  }
  // A pod bound to a node that does not exist is never run (and soon garbage-collected): say so now, not after a wait.
  if (given.spec?.nodeName) await clusterNode(scenario, given.spec.nodeName);
  const pod = proberPod(name, scenario.image, scenario.allowedNetworks);
  pod.metadata = { ...pod.metadata, labels: { ...given.metadata?.labels, ...pod.metadata?.labels } };
  pod.spec = { ...pod.spec!, ...given.spec, containers: pod.spec!.containers };
  await createClientPodNow(scenario, { name, manifest: pod });
}
