import { request } from "node:http";
import type { Client } from "../clients/client.ts";
import type { PodSummary } from "../kube/pods.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import type { Backend } from "../services/backend.ts";
import { urlHost } from "../services/families.ts";
import type { Service } from "../services/service.ts";
import { rememberTraffic, type TrafficResult } from "../traffic/client.ts";
import { stickinessProblem } from "../traffic/expectations.ts";
import { sendToTarget } from "./send.ts";
import { clusterNodes, describeOutsideTarget, type OutsideTarget } from "./targets.ts";
import { podsIn } from "./terminating.ts";
import { eventuallyTimed } from "./timing.ts";

/** "3 ok by web-a; 2 timeout" for one result: what a timeout or a failure message shows. */
function outcomeOf(result: TrafficResult): string {
  const answered = Object.entries(result.summary.byPod).map(([pod, n]) => `${n} by ${pod}`);
  const failed = Object.entries(result.summary.errorKinds).map(([kind, n]) => `${n} ${kind}`);
  return `${result.client} → ${result.url}: ${[...answered, ...failed].join(", ") || "nothing"}`;
}

/**
 * Sends batches until every request of a batch is answered (each address the target stands for), and keeps that
 * batch as the scenario's last traffic. The timeout shows what the last batch got.
 */
export async function waitUntilAllAnswered(
  scenario: ScenarioContext,
  options: { seconds: number; count: number; client: Client; target: OutsideTarget },
): Promise<TrafficResult[]> {
  let last: TrafficResult[] = [];
  await eventuallyTimed(
    scenario,
    `${options.count} requests from ${options.client.label} to ${describeOutsideTarget(options.target)} all succeed`,
    async () => {
      last = await sendToTarget(scenario, options.client, options.target, options.count, 1000);
      return { satisfied: last.every((r) => r.summary.succeeded === options.count), value: last.map(outcomeOf) };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 250 },
  );
  return rememberTraffic(scenario, last);
}

/**
 * Sends batches until one is all answered and shows the wanted affinity: spread over at least `minimumPods` pods, or
 * ("sticky") stuck to one pod (see {@link stickinessProblem}); keeps that batch. Session affinity changes reach each
 * node when kube-proxy next syncs, so a check right after a switch has to wait for it. The timeout shows the last
 * batch's pods.
 */
export async function waitUntilAffinityShows(
  scenario: ScenarioContext,
  options: { seconds: number; count: number; client: Client; target: OutsideTarget } & (
    | { sticky: true }
    | { sticky: false; minimumPods: number }
  ),
): Promise<TrafficResult[]> {
  let last: TrafficResult[] = [];
  const what = options.sticky
    ? "all answered by the same pod"
    : `answered by at least ${options.minimumPods} different pods`;
  await eventuallyTimed(
    scenario,
    `${options.count} requests from ${options.client.label} to ${describeOutsideTarget(options.target)} are ${what}`,
    async () => {
      last = await sendToTarget(scenario, options.client, options.target, options.count, 1000);
      const pods = new Set(last.flatMap((r) => Object.keys(r.summary.byPod)));
      const allAnswered = last.every((r) => r.summary.succeeded === options.count);
      const satisfied =
        allAnswered &&
        (options.sticky ? last.every((r) => stickinessProblem(r) === undefined) : pods.size >= options.minimumPods);
      return { satisfied, value: last.map(outcomeOf) };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 250 },
  );
  return rememberTraffic(scenario, last);
}

/** Sends batches until no request of a batch succeeds (any failure: refused, timeout, reset). */
export async function waitUntilNoneAnswered(
  scenario: ScenarioContext,
  options: { seconds: number; count: number; client: Client; target: OutsideTarget },
): Promise<TrafficResult[]> {
  const { value } = await eventuallyTimed(
    scenario,
    `none of ${options.count} requests from ${options.client.label} to ${describeOutsideTarget(options.target)} succeeds`,
    async () => {
      const results = await sendToTarget(scenario, options.client, options.target, options.count, 1000);
      return { satisfied: results.every((r) => r.summary.succeeded === 0), value: results.map(outcomeOf) };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 250 },
  );
  scenario.note(`no answers: ${value.join("; ")}`);
  // Which addresses were refused is the evidence (e.g. a NodePort that moved): the report shows them.
  await scenario.attachText("no answers", `${value.join("\n")}\n`);
  return [];
}

/**
 * Every answer (failed requests are not answers; at least one is needed) saw the sender's own address as the client:
 * nothing rewrote the source on the way (externalTrafficPolicy Local, pod to ClusterIP).
 */
export function expectSenderAddressSeen(traffic: readonly TrafficResult[]): void {
  checkAddresses(traffic, "the sender's own address", (seen, sender) => seen === sender);
}

/** Every answer (at least one) saw another address than the sender's: kube-proxy rewrote the source (SNAT). */
export function expectSenderAddressRewritten(traffic: readonly TrafficResult[]): void {
  checkAddresses(traffic, "a rewritten address, not the sender's", (seen, sender) => seen !== "" && seen !== sender);
}

function checkAddresses(
  traffic: readonly TrafficResult[],
  expected: string,
  matches: (seen: string, sender: string) => boolean,
): void {
  const answers = traffic.flatMap((result) =>
    result.probe.results
      .filter((r) => r.ok)
      .map((r) => ({ result, seen: r.clientIP, sender: r.localIP ?? result.senderAddress ?? "?" })),
  );
  const wrong = answers.filter((a) => !matches(a.seen, a.sender));
  if (answers.length === 0 || wrong.length > 0) {
    const senders = [...new Set(traffic.map((r) => `${r.client} from ${r.senderAddress ?? "?"}`))].join("; ");
    throw new Error(
      `expected every answer to have seen ${expected}, but ${answers.length === 0 ? "no request was answered" : `${wrong.length} of ${answers.length} answers saw ${[...new Set(wrong.map((w) => w.seen))].join(", ")}`} (${senders}). externalTrafficPolicy Cluster rewrites an outside client's address (SNAT); Local keeps it.`,
    );
  }
}

/**
 * What is wrong with traffic sent to a NodePort on every node, for externalTrafficPolicy Local: a node running a
 * ready pod of the backend must answer every request, only with its own pods; every other node must answer none.
 */
function localNodeProblems(traffic: readonly TrafficResult[], ready: readonly PodSummary[], backend: string): string[] {
  const problems: string[] = [];
  const nodeOf = (result: TrafficResult) => result.targetNode ?? "";
  for (const result of traffic) {
    const node = nodeOf(result);
    const local = ready.filter((p) => p.node === node).map((p) => p.name);
    const answered = result.probe.results.filter((r) => r.ok);
    if (local.length > 0) {
      const foreign = answered.filter((r) => !local.includes(r.pod));
      if (answered.length !== result.probe.results.length || foreign.length > 0)
        problems.push(
          `node ${node} runs ${local.join(", ")} and should answer every request with it: ${outcomeOf(result)}`,
        );
    } else if (answered.length > 0) {
      problems.push(`node ${node} runs no such pod of ${backend} and should answer nothing: ${outcomeOf(result)}`);
    }
  }
  if (traffic.length === 0 || !traffic.every((r) => nodeOf(r))) {
    problems.push("the traffic was not sent to a NodePort on each node (send to the NodePort of … on every node)");
  }
  return problems;
}

/**
 * Sends batches to a NodePort on every node until only the nodes running a ready pod of `backend` answer, each with
 * its own pods (externalTrafficPolicy Local); keeps that batch as the last traffic. The timeout names each node's outcome.
 */
export async function waitUntilOnlyLocalNodesAnswer(
  scenario: ScenarioContext,
  options: {
    seconds: number;
    count: number;
    client: Client;
    target: OutsideTarget;
    backend: Backend;
    state?: "ready" | "terminating";
  },
): Promise<TrafficResult[]> {
  let last: TrafficResult[] = [];
  const state = options.state ?? "ready";
  await eventuallyTimed(
    scenario,
    `only the nodes running a ${state} pod of ${options.backend.name} answer ${options.count} requests from ${options.client.label} to ${describeOutsideTarget(options.target)}`,
    async () => {
      const local = await podsIn(options.backend, state);
      last = await sendToTarget(scenario, options.client, options.target, options.count, 1000);
      const problems = localNodeProblems(last, local, options.backend.name);
      if (local.length === 0) problems.push(`${options.backend.name} has no ${state} pod`);
      return { satisfied: problems.length === 0, value: problems.join("; ") || "ok" };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 250 },
  );
  return rememberTraffic(scenario, last);
}

/** GET http://ip:port/healthz from the host: the HTTP status, or 0 when nothing answered. */
export function healthStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 1000 }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end();
  });
}

/**
 * Waits until the Service's healthCheckNodePort (externalTrafficPolicy Local) answers 200 on every node that runs a
 * ready pod of `backend` and 503 on every other node, as load balancers expect; the timeout shows each node's answer.
 */
export async function waitForHealthCheckNodePort(
  scenario: ScenarioContext,
  options: { seconds: number; service: Service; backend: Backend },
): Promise<void> {
  await eventuallyTimed(
    scenario,
    `the healthCheckNodePort of ${options.service.name} answers 200 on the nodes running a ready pod of ${options.backend.name} and 503 on the others`,
    async () => {
      const service = await scenario.kube.core.readNamespacedService({
        name: options.service.name,
        namespace: scenario.name,
      });
      const port = service.spec?.healthCheckNodePort;
      if (!port)
        return {
          satisfied: false,
          value: `no healthCheckNodePort (externalTrafficPolicy ${service.spec?.externalTrafficPolicy})`,
        };
      const ready = await options.backend.readyPods();
      const nodes = await clusterNodes(scenario);
      const seen = await Promise.all(
        nodes.map(async (n) => ({
          node: n.name,
          expected: ready.some((p) => p.node === n.name) ? 200 : 503,
          status: await healthStatus(`http://${urlHost(n.ip)}:${port}/healthz`),
        })),
      );
      return {
        satisfied: seen.every((s) => s.status === s.expected),
        value: seen.map((s) => `${s.node}: ${s.status || "no answer"} (expected ${s.expected})`).join(", "),
      };
    },
    { timeoutMs: options.seconds * 1000, intervalMs: 250 },
  );
}
