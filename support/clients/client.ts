import { UserError } from "../errors/user-error.ts";
import type { PodSummary } from "../kube/pods.ts";
import {
  type DnsProbeRequest,
  type DnsProbeResult,
  defaultProbeBudgetMs,
  type HttpProbe,
  type HttpProbeRequest,
  type HttpProbeResult,
  maxProbeBudgetMs,
  probeDns,
  probeHttp,
  proberPort,
} from "../kube/prober.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { expandAddresses } from "../traffic/addresses.ts";
import { assertRequestCount, type TrafficResult } from "../traffic/client.ts";
import { describeDistribution, summarize } from "../traffic/statistics.ts";
import { type ProberApi, podProberApi } from "./prober-api.ts";

/**
 * Where a client sends from: a pod of the scenario (a prober, a client pod shaped by YAML, a demo backend's pod), a
 * pod in a node's own network namespace, a container on the kind network outside the cluster, or this machine.
 */
export type ClientKind = "pod" | "hostNetwork pod" | "outside container" | "host";

/** Who a client is, once made. */
export interface ClientIdentity {
  /** The pod's or container's name; "host" for this machine. */
  readonly name: string;
  /** Its own address: what a backend sees as the client when nothing on the way rewrites it. */
  readonly address: string;
  /** Its IPv6 address besides `address`, when it has one (on the IPv6-capable kind network): the sender over IPv6. */
  readonly ipv6Address?: string;
  /** The node it runs on (pods only). */
  readonly node?: string;
}

/**
 * A sender of the scenario's traffic. Every kind sends the same way ({@link Client.send}) and leaves the same
 * evidence: each request's outcome, latency and answering pod, and the sender's own address.
 */
export interface Client {
  readonly kind: ClientKind;
  /** As steps name it, for messages: `a client pod`, `the pod "c"`, `a hostNetwork client on node "n"`, `the host`. */
  readonly label: string;
  /** Makes the client on first use (a pod created and Ready, a container started) and says who it is. */
  start(): Promise<ClientIdentity>;
  /**
   * Sends `request.count` requests (a new connection each; http://, tcp://host:port or udp://host:port) and records
   * them in the transcript. Placeholders in the URL ({clusterIP:web}, {nodeIP:n}, {nodePort:web}) are read now, so
   * each batch sees the Service as it is; the count is checked before the client is made.
   */
  send(request: HttpProbeRequest): Promise<TrafficResult>;
  /**
   * The client's prober API, for open-loop background load (steady traffic): every kind runs the demo image's
   * prober, so the load and its samples are the same wherever it is sent from. Makes the client on first use.
   */
  prober(): Promise<ProberApi>;
}

/** A client inside the cluster, which can also look names up through its pod's resolver (cluster DNS). */
export interface PodClient extends Client {
  readonly kind: "pod" | "hostNetwork pod";
  lookUp(request: DnsProbeRequest): Promise<DnsProbeResult[]>;
}

/** How one kind of client is made and how it carries a probe: what {@link makeClient} needs. */
export interface ClientParts {
  readonly kind: ClientKind;
  readonly label: string;
  start(): Promise<ClientIdentity>;
  /** The sender as traffic reports name it (a pod's name; an outside client with the address it sent from). */
  shownAs(identity: ClientIdentity, senderAddress: string): string;
  probe(identity: ClientIdentity, request: HttpProbeRequest): Promise<HttpProbe>;
  /** Its prober API for background load (see {@link Client.prober}). */
  proberApi(identity: ClientIdentity): ProberApi | Promise<ProberApi>;
}

/** A client from its parts, with the one `send` every kind shares. */
export function makeClient(scenario: ScenarioContext, parts: ClientParts): Client {
  return {
    kind: parts.kind,
    label: parts.label,
    start: () => parts.start(),
    async prober() {
      return parts.proberApi(await parts.start());
    },
    async send(request) {
      assertRequestCount(request.count, request.url);
      const url = await expandAddresses(scenario, request.url);
      const identity = await parts.start();
      // The budget is sent explicitly so a cut-off can be explained with the number the prober really used.
      const sent = { concurrency: 4, timeoutMs: 2000, maxDurationMs: defaultProbeBudgetMs, ...request, url };
      const probe = await parts.probe(identity, sent);
      const summary = summarize(probe.results);
      const senderAddress = senderAddressOf(identity, url, probe.results);
      const client = parts.shownAs(identity, senderAddress);
      const cutOff = probe.notSent > 0 ? ` (${probe.notSent} not sent: time budget of ${sent.maxDurationMs} ms)` : "";
      scenario.note(`${client} → ${url}: ${request.count} requests: ${describeDistribution(summary)}${cutOff}`);
      return {
        client,
        url,
        requested: request.count,
        budgetMs: sent.maxDurationMs,
        probe,
        summary,
        senderAddress,
      };
    },
  };
}

/**
 * A pod client: the demo image's probe API on `port` of the pod `start` finds or makes, reached through the API
 * server's pod proxy. The scenario's networks go with each request, for a pod without ALLOWED_NETWORKS of its own
 * (a demo backend); a prober's own setting wins.
 */
export function makePodClient(
  scenario: ScenarioContext,
  parts: { kind: PodClient["kind"]; label: string; start(): Promise<ClientIdentity>; port?: number },
): PodClient {
  const port = parts.port ?? proberPort;
  const client = makeClient(scenario, {
    kind: parts.kind,
    label: parts.label,
    start: parts.start,
    shownAs: (pod) => pod.name,
    proberApi: (pod) => podProberApi(scenario.kube, scenario.name, pod.name, port),
    probe: (pod, request) =>
      probeHttp(
        scenario.kube,
        scenario.name,
        pod.name,
        { ...request, allowedNetworks: scenario.allowedNetworks },
        port,
      ),
  });
  return {
    ...client,
    kind: parts.kind,
    async lookUp(request) {
      const pod = await parts.start();
      return probeDns(scenario.kube, scenario.name, pod.name, request, port);
    },
  };
}

/**
 * `start` run once: later calls share its result. With `forgetFailure`, a start that failed is forgotten, so the
 * next step tries again (and reports its own error): right for a container, which a failed start leaves nothing of;
 * a pod that never became Ready still exists, so trying to create it again would only hide the first error.
 */
export function once<T>(start: () => Promise<T>, forgetFailure = false): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => {
    if (!started) {
      const attempt = start();
      started = attempt;
      if (forgetFailure) {
        attempt.catch(() => {
          if (started === attempt) started = undefined;
        });
      }
    }
    return started;
  };
}

/**
 * Paced traffic: one request every `intervalSeconds`, one at a time. By default the time budget fits every request
 * (count × interval, plus 5 s of slack); with `budgetSeconds` the client starts no request after that long, and the
 * rest are reported as not sent.
 */
export function sendPaced(
  client: Client,
  request: { url: string; count: number; intervalSeconds: number; budgetSeconds?: number },
): Promise<TrafficResult> {
  const intervalMs = request.intervalSeconds * 1000;
  const { budgetSeconds } = request;
  if (budgetSeconds !== undefined && (budgetSeconds < 1 || budgetSeconds * 1000 > maxProbeBudgetMs)) {
    throw new UserError(
      `cannot send requests to ${request.url} for at most ${budgetSeconds} s: the time limit must be between 1 and ${maxProbeBudgetMs / 1000} seconds, so nothing was sent`,
      `give a limit from 1 to ${maxProbeBudgetMs / 1000} seconds, or leave the limit out to wait for every request.`,
    );
  }
  return client.send({
    url: request.url,
    count: request.count,
    concurrency: 1,
    intervalMs,
    // Without a limit, room for every request, within the most the prober accepts (beyond it, the rest are not sent).
    maxDurationMs:
      budgetSeconds === undefined
        ? Math.min(maxProbeBudgetMs, request.count * intervalMs + 5000)
        : budgetSeconds * 1000,
  });
}

/** A pod as a client: its primary address, and its IPv6 one (a dual-stack pod has both) for requests over IPv6. */
export function podIdentity(name: string, pod: Pick<PodSummary, "ip" | "ips" | "node">): ClientIdentity {
  const ipv6Address = pod.ips.find((ip) => ip.includes(":"));
  return { name, address: pod.ip, node: pod.node, ...(ipv6Address ? { ipv6Address } : {}) };
}

/**
 * The address a batch of requests left from: the one every connection reported (a name resolves to either family),
 * else, when no request got a connection, the one {@link senderAddressFor} expects.
 */
export function senderAddressOf(
  identity: ClientIdentity,
  url: string,
  results: readonly Pick<HttpProbeResult, "localIP">[],
): string {
  const local = [...new Set(results.flatMap((r) => (r.localIP ? [r.localIP] : [])))];
  return local.length === 1 && local[0] ? local[0] : senderAddressFor(identity, url);
}

/** The sender's own address for a request to `url`: its IPv6 one when the URL's host is an IPv6 address. */
export function senderAddressFor(identity: ClientIdentity, url: string): string {
  const overIPv6 = URL.canParse(url) && new URL(url).hostname.startsWith("[");
  return overIPv6 && identity.ipv6Address ? identity.ipv6Address : identity.address;
}
