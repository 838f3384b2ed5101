import type { V1Pod } from "@kubernetes/client-node";
import { parse } from "yaml";
import { UserError } from "../errors/user-error.ts";
import { postToPod } from "../kube/client.ts";
import { listPods, waitForReadyPods } from "../kube/pods.ts";
import { defaultProbeBudgetMs, type HttpProbe, type HttpProbeRequest } from "../kube/prober.ts";
import { proberPod } from "../kube/workloads.ts";
import type { ScenarioContext } from "../scenario/context.ts";
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
  const url = await expandNodeIPs(scenario, request.url);
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

/**
 * Replaces `{nodeIP:<node>}` in a URL by that node's InternalIP, so a NodePort can be addressed on every node
 * ("http://{nodeIP:kubequake-worker}:31080"), and `{clusterIP:<service>}` by the ClusterIP of a Service of the
 * scenario (no DNS lookup), and `{loadBalancerIP:<service>}` by the load-balancer address of one (reached from inside the
 * cluster). A node or Service that does not exist is the user's mistake.
 */
export async function expandNodeIPs(scenario: ScenarioContext, url: string): Promise<string> {
  const names = [...url.matchAll(/\{nodeIP:([^}]+)\}/g)].map((m) => m[1]!);
  let expanded = url;
  for (const name of names) {
    const node = await scenario.kube.core.readNode({ name }).catch(() => undefined);
    const ip = node?.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
    if (!ip) {
      const nodes = await scenario.kube.core.listNode();
      throw new UserError(
        `${url}: no node "${name}" with an InternalIP in this cluster`,
        `use one of: ${nodes.items.map((n) => n.metadata?.name).join(", ")}.`,
      );
    }
    expanded = expanded.replace(`{nodeIP:${name}}`, ip);
  }
  for (const [, name] of url.matchAll(/\{clusterIP:([^}]+)\}/g)) {
    const service = await scenario.kube.core
      .readNamespacedService({ name: name!, namespace: scenario.name })
      .catch(() => undefined);
    const ip = service?.spec?.clusterIP;
    if (!ip || ip === "None") {
      throw new UserError(
        `${url}: the scenario has no Service "${name}" with a ClusterIP`,
        `use the name of a Service this scenario made (known: ${scenario.watchedServices.join(", ") || "none"}).`,
      );
    }
    expanded = expanded.replace(`{clusterIP:${name}}`, ip);
  }
  for (const [, name] of url.matchAll(/\{loadBalancerIP:([^}]+)\}/g)) {
    const service = await scenario.kube.core
      .readNamespacedService({ name: name!, namespace: scenario.name })
      .catch(() => undefined);
    const ip = service?.status?.loadBalancer?.ingress?.[0]?.ip;
    if (!ip) {
      throw new UserError(
        `${url}: the scenario has no Service "${name}" with a load-balancer address (${service ? `type ${service.spec?.type}, status.loadBalancer ${JSON.stringify(service.status?.loadBalancer ?? {})}` : "no such Service"})`,
        `wait for the address first (Then the Service "${name}" gets a load-balancer address within 10 seconds), or use a Service this scenario made (known: ${scenario.watchedServices.join(", ") || "none"}).`,
      );
    }
    expanded = expanded.replace(`{loadBalancerIP:${name}}`, ip);
  }
  return expanded;
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
  node: string,
  request: HttpProbeRequest,
): Promise<TrafficResult> {
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
