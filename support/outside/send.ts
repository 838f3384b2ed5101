import { request } from "node:http";
import { UserError } from "../errors/user-error.ts";
import { defaultProbeBudgetMs, type HttpProbe, type HttpProbeResult } from "../kube/prober.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { assertRequestCount, sendTraffic, type TrafficResult } from "../traffic/client.ts";
import { describeDistribution, summarize } from "../traffic/statistics.ts";
import { type OutsideContainer, outsideNetwork, outsideSubnets, startOutsideContainer } from "./clients.ts";
import { type OutsideTarget, type ResolvedTarget, resolveOutsideTarget } from "./targets.ts";

/** Who sends, as a step names it (the {sender} parameter type). */
export type Sender =
  | { readonly kind: "outside"; readonly name: string }
  | { readonly kind: "host" }
  | { readonly kind: "pod"; readonly node?: string };

export const senderPattern =
  /(an outside client)|the outside client "([^"]*)"|(the host)|a client pod on node "([^"]*)"|(a client pod)/;

/** The {sender} parameter's groups (see {@link senderPattern}) as a Sender. */
export function parseSender(
  anOutsideClient: string | undefined,
  outsideName: string | undefined,
  host: string | undefined,
  node: string | undefined,
): Sender {
  if (anOutsideClient !== undefined) return { kind: "outside", name: "outside" };
  if (outsideName !== undefined) return { kind: "outside", name: outsideName };
  if (host !== undefined) return { kind: "host" };
  return node !== undefined ? { kind: "pod", node } : { kind: "pod" };
}

export function describeSender(sender: Sender): string {
  if (sender.kind === "outside")
    return sender.name === "outside" ? "an outside client" : `the outside client "${sender.name}"`;
  if (sender.kind === "host") return "the host";
  return sender.node ? `a client pod on node "${sender.node}"` : "a client pod";
}

/** The address each result's sender had, so checks can tell whether the backend saw it or a rewritten one. */
const senderAddresses = new WeakMap<TrafficResult, string>();

export function senderAddress(result: TrafficResult): string | undefined {
  return senderAddresses.get(result);
}

/** The node whose address each result was sent to (a NodePort), for per-node checks. */
const targetNodes = new WeakMap<TrafficResult, string>();

export function targetNode(result: TrafficResult): string | undefined {
  return targetNodes.get(result);
}

const outsideClients = new WeakMap<ScenarioContext, Map<string, Promise<OutsideContainer>>>();

/**
 * The scenario's outside client `name`: a demo prober container on the kind network (its own address, next to the
 * nodes), started on first use and removed by the scenario's cleanup. It may connect only to the kind network.
 */
export function outsideClient(scenario: ScenarioContext, name = "outside"): Promise<OutsideContainer> {
  const clients = outsideClients.get(scenario) ?? new Map<string, Promise<OutsideContainer>>();
  outsideClients.set(scenario, clients);
  let client = clients.get(name);
  if (!client) {
    client = outsideSubnets().then((allowed) =>
      startOutsideContainer(scenario, {
        name: `client-${name}`.replace(/[^a-zA-Z0-9_.-]/g, "-"),
        command: ["prober"],
        env: { ALLOWED_NETWORKS: allowed },
      }),
    );
    clients.set(name, client);
    // A client that failed to start is not kept: the next step tries again (and reports its own error).
    client.catch(() => clients.delete(name));
  }
  return client;
}

/** Per request, milliseconds: long enough for a loaded machine, short enough that a dropped packet fails fast. */
const requestTimeoutMs = 2000;

/**
 * Sends `count` requests (a new connection each) from `sender` to every address `target` stands for, and returns
 * one result per address ("the NodePort on every node" is one per node).
 */
export async function sendToTarget(
  scenario: ScenarioContext,
  sender: Sender,
  target: OutsideTarget,
  count: number,
  timeoutMs = requestTimeoutMs,
): Promise<TrafficResult[]> {
  const resolved = await resolveOutsideTarget(scenario, target);
  assertRequestCount(count, resolved[0]?.url ?? "");
  const results: TrafficResult[] = [];
  for (const address of resolved) {
    const result = await sendOnce(scenario, sender, address, count, timeoutMs);
    if (address.node) targetNodes.set(result, address.node);
    results.push(result);
  }
  return results;
}

async function sendOnce(
  scenario: ScenarioContext,
  sender: Sender,
  target: ResolvedTarget,
  count: number,
  timeoutMs: number,
): Promise<TrafficResult> {
  if (sender.kind === "pod") {
    const result = await sendTraffic(scenario, { url: target.url, count, timeoutMs }, 0, sender.node);
    const pod = await scenario.kube.core.readNamespacedPod({ name: result.client, namespace: scenario.name });
    const labelled = { ...result, client: `${result.client} → ${target.label}` };
    senderAddresses.set(labelled, pod.status?.podIP ?? "");
    return labelled;
  }
  const request = { url: target.url, count, concurrency: 4, timeoutMs, maxDurationMs: defaultProbeBudgetMs };
  let probe: HttpProbe;
  let client: string;
  let address: string;
  if (sender.kind === "outside") {
    const container = await outsideClient(scenario, sender.name);
    probe = await postProbe(container, request);
    client = `outside client "${sender.name}" (${container.ip}) → ${target.label}`;
    address = container.ip;
  } else {
    probe = await probeFromHost(request);
    address = await hostAddress();
    client = `the host (${address}) → ${target.label}`;
  }
  const summary = summarize(probe.results);
  scenario.note(`${client}: ${count} requests: ${describeDistribution(summary)}`);
  const result: TrafficResult = {
    client,
    url: target.url,
    requested: count,
    budgetMs: request.maxDurationMs,
    probe,
    summary,
  };
  senderAddresses.set(result, address);
  return result;
}

async function postProbe(
  container: OutsideContainer,
  body: { url: string; count: number; concurrency: number; timeoutMs: number; maxDurationMs: number },
): Promise<HttpProbe> {
  const response = await fetch(`http://${container.ip}:8080/probe/http`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(body.maxDurationMs + body.timeoutMs + 15_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`the outside client ${container.name} answered ${response.status}: ${text}`);
  return JSON.parse(text) as HttpProbe;
}

/** The host's address on the kind network (its gateway): what a backend sees when the host's request is not rewritten. */
async function hostAddress(): Promise<string> {
  const { runCommand } = await import("../process/command.ts");
  const { stdout } = await runCommand("docker", [
    "network",
    "inspect",
    outsideNetwork,
    "-f",
    "{{range .IPAM.Config}}{{.Gateway}} {{end}}",
  ]);
  return (
    stdout
      .trim()
      .split(/\s+/)
      .find((s) => /^\d+\.\d+\.\d+\.\d+$/.test(s)) ?? ""
  );
}

/**
 * Requests from this machine itself (the host, not a container), a new connection each, `concurrency` at a time.
 * Only addresses on the kind network are allowed: the network is sealed at the host, and nothing else is a target.
 */
export async function probeFromHost(body: {
  url: string;
  count: number;
  concurrency: number;
  timeoutMs: number;
}): Promise<HttpProbe> {
  const subnets = await outsideSubnets();
  const host = new URL(body.url).hostname;
  if (!subnets.split(",").some((cidr) => inCidr(host, cidr))) {
    throw new UserError(
      `the host may only send to addresses on the kind network (${subnets}), not to ${host}`,
      "send to a NodePort or load-balancer address of a Service in the scenario.",
    );
  }
  const startedAt = new Date().toISOString();
  const results: HttpProbeResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < body.count) {
      const seq = next++;
      results.push(await oneRequest(seq, body.url, body.timeoutMs));
    }
  };
  await Promise.all(Array.from({ length: Math.min(body.concurrency, body.count) }, worker));
  results.sort((a, b) => a.seq - b.seq);
  return { url: body.url, startedAt, results, notSent: 0 };
}

function oneRequest(seq: number, url: string, timeoutMs: number): Promise<HttpProbeResult> {
  const startUnixMs = Date.now();
  const started = performance.now();
  const base = { seq, startUnixMs, pod: "", podIP: "", node: "", clientIP: "" };
  return new Promise((resolve) => {
    const done = (fields: Partial<HttpProbeResult>) =>
      resolve({
        ...base,
        durationMs: performance.now() - started,
        ok: false,
        status: 0,
        error: "",
        errorKind: "",
        ...fields,
      });
    // agent: false: a new TCP connection per request, as the in-cluster prober does.
    const req = request(url, { agent: false, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        try {
          const answer = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, string>;
          const ok = status >= 200 && status < 300;
          done({
            ok,
            status,
            pod: answer.pod ?? "",
            podIP: answer.podIP ?? "",
            node: answer.node ?? "",
            clientIP: answer.clientIP ?? "",
            errorKind: ok ? "" : "http",
            error: ok ? "" : `HTTP ${status}`,
          });
        } catch {
          done({ status, errorKind: "http", error: `HTTP ${status} with a body that is not the demo backend's JSON` });
        }
      });
      response.on("error", (error) => done({ errorKind: "reset", error: error.message }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (error: NodeJS.ErrnoException) => done({ errorKind: errorKindOf(error), error: error.message }));
    req.end();
  });
}

function errorKindOf(error: NodeJS.ErrnoException): HttpProbeResult["errorKind"] {
  if (error.code === "ECONNREFUSED") return "refused";
  if (error.code === "ECONNRESET" || error.code === "EPIPE") return "reset";
  if (error.message.startsWith("no answer within") || error.code === "ETIMEDOUT") return "timeout";
  return "other";
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const toNumber = (address: string) => address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !base) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base) / size);
}
