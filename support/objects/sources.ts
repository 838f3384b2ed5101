import type { V1Pod } from "@kubernetes/client-node";
import { parse } from "yaml";
import { UserError } from "../errors/user-error.ts";
import { postToPod } from "../kube/client.ts";
import { listPods, waitForReadyPods } from "../kube/pods.ts";
import { defaultProbeBudgetMs, type HttpProbe, type HttpProbeRequest } from "../kube/prober.ts";
import { proberPod } from "../kube/workloads.ts";
import type { ClusterNode } from "../nodes/registry.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { expandAddresses } from "../traffic/addresses.ts";
import { assertRequestCount, type TrafficResult } from "../traffic/client.ts";
import { describeDistribution, summarize } from "../traffic/statistics.ts";

/** The demo image serves its probe API on this port in every role (backend and prober). */
const demoPort = 8080;

/**
 * Sends requests from a ready pod of a demo backend (pods labelled app=<backend>): the backend's own probe API,
 * so a pod can reach itself through its Service (hairpin). The URL may be http://, tcp://host:port or udp://host:port.
 */
export async function sendFromBackendPod(
  scenario: ScenarioContext,
  backend: string,
  request: HttpProbeRequest,
): Promise<TrafficResult> {
  const ready = (await listPods(scenario.kube, scenario.name, { app: backend })).filter(
    (p) => p.ready && !p.terminating,
  );
  if (ready.length === 0) {
    throw new UserError(
      `no ready pod of "${backend}" (pods labelled app=${backend}) to send from`,
      "deploy the backend first (Given the demo backend runs …) and wait until it is ready.",
    );
  }
  return sendFromPod(scenario, ready[0]!.name, request, demoPort);
}

/**
 * Sends requests from a named pod of the scenario that runs the demo image (a backend, a client pod, a client pod
 * made by {@link createClientPod}); `port` is where its probe API listens.
 */
export async function sendFromPod(
  scenario: ScenarioContext,
  pod: string,
  request: HttpProbeRequest,
  port = demoPort,
): Promise<TrafficResult> {
  assertRequestCount(request.count, request.url);
  const url = await expandAddresses(scenario, request.url);
  const sent = {
    concurrency: 4,
    timeoutMs: 2000,
    maxDurationMs: defaultProbeBudgetMs,
    ...request,
    url,
    allowedNetworks: scenario.allowedNetworks,
  };
  const budget = sent.maxDurationMs + sent.timeoutMs + 15_000;
  const probe = await postToPod<HttpProbe>(
    scenario.kube,
    { namespace: scenario.name, pod, port, path: "/probe/http" },
    sent,
    budget,
  );
  const summary = summarize(probe.results);
  scenario.note(`${pod} → ${url}: ${request.count} requests: ${describeDistribution(summary)}`);
  return { client: pod, url, requested: request.count, budgetMs: sent.maxDurationMs, probe, summary };
}

/** Ports the hostNetwork clients listen on: below the NodePort range, one per scenario namespace and node. */
function hostPort(namespace: string): number {
  let hash = 0;
  for (const c of namespace) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return 20_000 + (hash % 9_000);
}

const hostClients = new WeakMap<ScenarioContext, Map<string, Promise<string>>>();

/**
 * A client in the node's own network namespace (hostNetwork: true, dnsPolicy ClusterFirstWithHostNet), so its
 * requests come from the node's IP as a node-local process's would. Created on first use, removed with the scenario.
 */
export async function sendFromHostNetworkClient(
  scenario: ScenarioContext,
  on: ClusterNode | string,
  request: HttpProbeRequest,
): Promise<TrafficResult> {
  // By name from a sender phrase ("a hostNetwork client on node "n"" inside {podSender}), or the {node} handle.
  const node = typeof on === "string" ? on : on.name;
  const clients = hostClients.get(scenario) ?? new Map<string, Promise<string>>();
  hostClients.set(scenario, clients);
  const port = hostPort(scenario.name);
  let pod = clients.get(node);
  if (!pod) {
    pod = startHostNetworkClient(scenario, node, port);
    clients.set(node, pod);
  }
  return sendFromPod(scenario, await pod, request, port);
}

async function startHostNetworkClient(scenario: ScenarioContext, node: string, port: number): Promise<string> {
  const name = `host-client-${node.replace(/[^a-z0-9]/g, "")}`.slice(0, 63);
  const pod = proberPod(name, scenario.image, scenario.allowedNetworks, node);
  const container = pod.spec!.containers[0]!;
  container.env = [...(container.env ?? []), { name: "LISTEN", value: `:${port}` }];
  container.ports = [{ name: "probe", containerPort: port }];
  container.readinessProbe = { ...container.readinessProbe, httpGet: { path: "/readyz", port } };
  pod.spec = { ...pod.spec!, hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" };
  await scenario.namespace.apply(pod);
  await waitForReadyPods(scenario.kube, scenario.name, { "kubequake.dev/prober": name }, 1, 90_000);
  return name;
}

/**
 * A client pod of the scenario shaped by the QA's YAML: pod spec fields (dnsPolicy, dnsConfig, hostname, subdomain,
 * nodeName…) and metadata labels are merged into kubequake's prober pod, whose container stays kubequake's.
 */
export async function createClientPod(
  scenario: ScenarioContext,
  name: string,
  yamlText: string,
  source: string,
): Promise<void> {
  const given = (parse(yamlText) ?? {}) as { metadata?: { labels?: Record<string, string> }; spec?: V1Pod["spec"] };
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
  const pod = proberPod(name, scenario.image, scenario.allowedNetworks);
  pod.metadata = { ...pod.metadata, labels: { ...given.metadata?.labels, ...pod.metadata?.labels } };
  pod.spec = { ...pod.spec!, ...given.spec, containers: pod.spec!.containers };
  await scenario.namespace.apply(pod);
  await waitForReadyPods(scenario.kube, scenario.name, { "kubequake.dev/prober": name }, 1, 90_000);
}

/** A sender inside the cluster, as a step names it (the {podSender} parameter type). */
export type PodSender =
  | { readonly kind: "pod"; readonly pod: string }
  | { readonly kind: "backend"; readonly backend: string }
  | { readonly kind: "hostNetwork"; readonly node: string };

/** Regexp of the {podSender} parameter type; the groups feed {@link parsePodSender}. */
export const podSenderPattern = /the pod "([^"]*)"|a pod of "([^"]*)"|a hostNetwork client on node "([^"]*)"/;

export function parsePodSender(pod: string | undefined, backend: string | undefined, node: string | undefined) {
  if (pod !== undefined) return { kind: "pod", pod } as const;
  if (backend !== undefined) return { kind: "backend", backend } as const;
  return { kind: "hostNetwork", node: node ?? "" } as const;
}

export function describePodSender(sender: PodSender): string {
  if (sender.kind === "pod") return `the pod "${sender.pod}"`;
  if (sender.kind === "backend") return `a pod of "${sender.backend}"`;
  return `a hostNetwork client on node "${sender.node}"`;
}

/** Sends requests from a named pod, a ready pod of a backend or a hostNetwork client on a node (see above). */
export function sendFromPodSender(
  scenario: ScenarioContext,
  sender: PodSender,
  request: HttpProbeRequest,
): Promise<TrafficResult> {
  if (sender.kind === "pod") return sendFromPod(scenario, sender.pod, request);
  if (sender.kind === "backend") return sendFromBackendPod(scenario, sender.backend, request);
  return sendFromHostNetworkClient(scenario, sender.node, request);
}

/** The sender as the convergence steps take it: a label for messages and a function that sends one batch. */
export function batchSender(scenario: ScenarioContext, sender: PodSender) {
  return { label: describePodSender(sender), send: (r: HttpProbeRequest) => sendFromPodSender(scenario, sender, r) };
}
