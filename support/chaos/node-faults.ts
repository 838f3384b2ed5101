import type { V1Pod } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";
import { apiErrorMessage, apiStatus } from "../kube/client.ts";
import type { ClusterNode } from "../nodes/registry.ts";
import { runCommand } from "../process/command.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { EventuallyTimeoutError, eventually } from "../wait/eventually.ts";
import { waitUntilWhole } from "./cluster-faults.ts";
import { defineFault } from "./declaration.ts";
import { noteChaosEvent } from "./faults.ts";
import { controlPlaneContainerOf, nodeContainerOf } from "./targets.ts";

/*
 * Faults of a node's Service plumbing: kube-proxy restarted, the node's conntrack table flushed, the node drained.
 * Each reaches beyond the scenario's namespace, so each gives its undo as a docker command (the fault ledger).
 */

/** kubectl inside the control-plane node's container, with the admin kubeconfig kubeadm wrote there. */
async function kubectlInControlPlane(scenario: ScenarioContext): Promise<string[]> {
  return ["exec", await controlPlaneContainerOf(scenario), "kubectl", "--kubeconfig", "/etc/kubernetes/admin.conf"];
}

async function docker(args: readonly string[], timeoutMs = 120_000) {
  return runCommand("docker", args, { timeoutMs });
}

const kubeProxySelector = "k8s-app=kube-proxy";

/**
 * kube-proxy's pods deleted on every node at once and recreated by their DaemonSet: unlike "stopped", the new pods
 * start at once and resync every rule from the API. The proof is a new, Ready kube-proxy pod on every node.
 */
export const kubeProxyRestarted = defineFault({
  phrase: "kube-proxy is restarted on every node",
  doc: "kube-proxy's pods are deleted on every node and recreated by their DaemonSet; the step ends when a new pod is Ready on every node (the time it took is noted on the timeline). Needs @serial.",
  scope: "cluster",
  plan: async (scenario) => {
    const kubectl = await kubectlInControlPlane(scenario);
    const before = await kubeProxyPods(scenario);
    const nodeCount = (await scenario.kube.core.listNode()).items.length;
    let deletedAt = 0;
    return {
      label: "kube-proxy restarted on every node",
      apply: async () => {
        await docker([...kubectl, "-n", "kube-system", "delete", "pod", "-l", kubeProxySelector, "--wait=false"]);
        deletedAt = Date.now();
      },
      proof: async () => {
        const old = new Set(before.map((pod) => pod.metadata?.uid));
        await eventually(
          `a new kube-proxy pod is Ready on each of the ${nodeCount} nodes`,
          async () => {
            const pods = await kubeProxyPods(scenario);
            const fresh = pods.filter((p) => !old.has(p.metadata?.uid) && !p.metadata?.deletionTimestamp && ready(p));
            const nodes = new Set(fresh.map((p) => p.spec?.nodeName));
            return {
              satisfied: nodes.size === nodeCount && fresh.length === pods.length,
              value: pods
                .map((p) => `${p.metadata?.name}${old.has(p.metadata?.uid) ? " (old)" : ""}${ready(p) ? " Ready" : ""}`)
                .join(", "),
            };
          },
          { timeoutMs: 120_000, intervalMs: 250 },
        );
        noteChaosEvent(
          scenario,
          `kube-proxy Ready again on every node ${((Date.now() - deletedAt) / 1000).toFixed(1)} s after its pods were deleted`,
        );
      },
      // Nothing to put back: the DaemonSet recreates the pods. The ledger's command waits until it has.
      undo: {
        argv: [
          "docker",
          ...kubectl,
          "-n",
          "kube-system",
          "rollout",
          "status",
          "daemonset/kube-proxy",
          "--timeout=120s",
        ],
      },
      whole: () => waitUntilWhole(scenario.kube, 120),
    };
  },
});

async function kubeProxyPods(scenario: ScenarioContext): Promise<V1Pod[]> {
  return (await scenario.kube.core.listNamespacedPod({ namespace: "kube-system", labelSelector: kubeProxySelector }))
    .items;
}

function ready(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/**
 * Every connection-tracking entry of a node deleted (`conntrack -F` in the node's network namespace, the kind node
 * image ships conntrack): established flows lose their NAT state, new ones are tracked afresh.
 */
export const conntrackFlushed = defineFault({
  phrase: "the conntrack table of node {node} is flushed",
  doc: "Deletes every connection-tracking entry of the node (`conntrack -F` in the node's container); the number of entries before and after is noted on the timeline. Nothing to undo: the kernel tracks new packets at once. Needs @serial.",
  scope: "node",
  plan: async (scenario, node: ClusterNode) => {
    const container = await nodeContainerOf(scenario, node.name);
    const count = async () => Number((await docker(["exec", container, "conntrack", "-C"])).stdout.trim());
    return {
      // No `nodes`: a flush does not take the node's clients away (their next packets are tracked afresh), and its
      // effect on the client's own flows is what a scenario measures.
      label: `conntrack table of ${node.name} flushed`,
      apply: async () => {
        const before = await count();
        await docker(["exec", container, "conntrack", "-F"]);
        const after = await count();
        noteChaosEvent(scenario, `conntrack on ${node.name}: ${before} entries before the flush, ${after} just after`);
      },
      // A flush cannot be put back: the ledger's command only counts the entries the node tracks again.
      undo: { argv: ["docker", "exec", container, "conntrack", "-C"] },
    };
  },
});

/** How long a drain waits for a PodDisruptionBudget to allow an eviction before it fails, naming the budget. */
const pdbWaitMs = 60_000;

/**
 * A node drained as `kubectl drain` does: cordoned, then every pod on it evicted through the Eviction API, which
 * honours PodDisruptionBudgets (an eviction a budget refuses is retried until the budget allows it, at most
 * {@link pdbWaitMs}). DaemonSet pods and static pods stay (their controllers would put them back at once). Pods no
 * controller would recreate (bare pods) stay too and are named on the timeline: kubectl drain refuses them without
 * --force, since evicting them loses them. The undo uncordons the node; evicted pods do not come back.
 */
export const nodeDrained = defineFault({
  phrase: "the node {node} is drained",
  doc: "Cordons the node and evicts every pod on it through the Eviction API, honouring PodDisruptionBudgets (a budget that blocks an eviction for 60 s fails the step, naming it); DaemonSet, static and bare pods stay. The step ends when the evicted pods are gone. Undone (uncordoned) at the end of the scenario. Needs @serial.",
  scope: "node",
  timeoutMs: 300_000,
  plan: async (scenario, node: ClusterNode) => {
    if (node.controlPlane) {
      throw new UserError(
        `the node "${node.name}" is the control plane: draining it moves CoreDNS and the cluster's own controllers, not the scenario's backends`,
        'drain a worker, e.g. When the node "<a worker>" is drained (kubectl get nodes lists them).',
      );
    }
    const kubectl = await kubectlInControlPlane(scenario);
    let evicted: V1Pod[] = [];
    let refused: { pod: V1Pod; refusal: string }[] = [];
    return {
      // No `nodes`: the scenario's client pods are bare pods, which a drain leaves where they are, serving.
      label: `node ${node.name} drained`,
      apply: async () => {
        await docker([...kubectl, "cordon", node.name]);
        const { evictable, kept } = sortPodsForDrain(await podsOn(scenario, node.name));
        if (kept.length > 0) {
          noteChaosEvent(scenario, `drain of ${node.name} leaves pods no controller recreates: ${kept.join(", ")}`);
        }
        evicted = evictable;
        // One attempt each here, so the fault is stamped when the first evictions were accepted; the ones a budget
        // refused are retried in the proof.
        const first = await Promise.all(
          evictable.map(async (pod) => {
            const refusal = await tryEviction(scenario, pod);
            return refusal === undefined ? [] : [{ pod, refusal }];
          }),
        );
        refused = first.flat();
      },
      proof: async () => {
        await Promise.all(refused.map(({ pod, refusal }) => evict(scenario, pod, refusal)));
        const uids = new Set(evicted.map((p) => p.metadata?.uid));
        await eventually(
          `the ${evicted.length} pod(s) evicted from ${node.name} are gone`,
          async () => {
            const left = (await podsOn(scenario, node.name)).filter((p) => uids.has(p.metadata?.uid));
            return { satisfied: left.length === 0, value: left.map(podName).join(", ") || "none left" };
          },
          { timeoutMs: 120_000, intervalMs: 500 },
        );
      },
      undo: { argv: ["docker", ...kubectl, "uncordon", node.name] },
      whole: async () => {
        await waitUntilWhole(scenario.kube, 120);
        const after = await scenario.kube.core.readNode({ name: node.name });
        if (after.spec?.unschedulable) throw new Error(`node ${node.name} is still cordoned after its uncordon`);
      },
    };
  },
});

async function podsOn(scenario: ScenarioContext, node: string): Promise<V1Pod[]> {
  return (await scenario.kube.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items;
}

function podName(pod: V1Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

/**
 * Which pods a drain evicts: those a controller recreates elsewhere, not DaemonSet pods (their controller tolerates
 * the cordon), static pods (the kubelet's own) or finished pods; bare pods are kept, by name, as kubectl drain keeps
 * them without --force.
 */
export function sortPodsForDrain(pods: readonly V1Pod[]): { evictable: V1Pod[]; kept: string[] } {
  const evictable: V1Pod[] = [];
  const kept: string[] = [];
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") continue;
    if (pod.metadata?.annotations?.["kubernetes.io/config.mirror"] !== undefined) continue;
    const owner = pod.metadata?.ownerReferences?.find((o) => o.controller);
    if (owner?.kind === "DaemonSet") continue;
    if (owner === undefined) kept.push(podName(pod));
    else evictable.push(pod);
  }
  return { evictable, kept };
}

interface DisruptionBudget {
  metadata?: { name?: string };
  spec?: {
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    selector?: { matchLabels?: Record<string, string> };
  };
  status?: { currentHealthy?: number; desiredHealthy?: number; disruptionsAllowed?: number };
}

/** The PodDisruptionBudgets (by matchLabels) that cover a pod, with what they ask and what they see, for a refusal. */
async function budgetsOf(scenario: ScenarioContext, pod: V1Pod): Promise<string> {
  const labels = pod.metadata?.labels ?? {};
  const list = (await scenario.kube.objects.list("policy/v1", "PodDisruptionBudget", pod.metadata?.namespace)) as {
    items: DisruptionBudget[];
  };
  const covering = list.items.filter((budget) => {
    const wanted = Object.entries(budget.spec?.selector?.matchLabels ?? {});
    return wanted.length > 0 && wanted.every(([key, value]) => labels[key] === value);
  });
  if (covering.length === 0) return "its PodDisruptionBudget";
  return covering
    .map((b) => {
      const asks =
        b.spec?.minAvailable !== undefined
          ? `minAvailable ${b.spec.minAvailable}`
          : `maxUnavailable ${b.spec?.maxUnavailable}`;
      return `the PodDisruptionBudget ${b.metadata?.name} (${asks}; ${b.status?.currentHealthy ?? "?"} healthy, ${b.status?.disruptionsAllowed ?? "?"} disruption(s) allowed)`;
    })
    .join(" and ");
}

/**
 * One eviction through the Eviction API: undefined when it was accepted (or the pod is gone already), else the
 * PodDisruptionBudget's refusal in the API server's words (a 429).
 */
async function tryEviction(scenario: ScenarioContext, pod: V1Pod): Promise<string | undefined> {
  const name = pod.metadata?.name ?? "";
  const namespace = pod.metadata?.namespace ?? "";
  try {
    await scenario.kube.core.createNamespacedPodEviction({
      name,
      namespace,
      body: { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace } },
    });
    return undefined;
  } catch (error) {
    if (apiStatus(error) === 404) return undefined;
    if (apiStatus(error) === 429) return apiErrorMessage(error);
    throw error;
  }
}

/**
 * Evicts a pod a budget refused once already. A 429 is a PodDisruptionBudget refusing for now: retried each second until
 * it allows the eviction, at most {@link pdbWaitMs}, then the step fails with the budget's own words.
 */
async function evict(scenario: ScenarioContext, pod: V1Pod, firstRefusal: string): Promise<void> {
  const name = pod.metadata?.name ?? "";
  const namespace = pod.metadata?.namespace ?? "";
  let refusal = firstRefusal;
  let refusals = 1;
  const started = Date.now();
  try {
    await eventually(
      `the eviction of ${namespace}/${name} is allowed by its PodDisruptionBudget`,
      async () => {
        const refused = await tryEviction(scenario, pod);
        if (refused === undefined) return { satisfied: true, value: "evicted" };
        refusal = refused;
        refusals += 1;
        return { satisfied: false, value: refusal };
      },
      { timeoutMs: pdbWaitMs, intervalMs: 1000 },
    );
    noteChaosEvent(
      scenario,
      `${name} evicted after its PodDisruptionBudget refused ${refusals} time(s), ${((Date.now() - started) / 1000).toFixed(1)} s later`,
    );
  } catch (error) {
    if (!(error instanceof EventuallyTimeoutError)) throw error;
    throw new UserError(
      `the drain could not evict ${namespace}/${name} within ${pdbWaitMs / 1000} s: ${await budgetsOf(scenario, pod)} kept refusing (${refusal})`,
      "give the budget room (more replicas than minAvailable, on more than one node), or expect the drain to block: the node stays cordoned until the scenario ends.",
    );
  }
}
