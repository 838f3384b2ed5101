import { type Kube, postToPod } from "./client.ts";

/** One request the in-cluster prober sent (new TCP connection each), as it recorded it. */
export interface HttpProbeResult {
  readonly seq: number;
  /** Unix epoch milliseconds, sub-millisecond precision. */
  readonly startUnixMs: number;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly status: number;
  readonly pod: string;
  readonly podIP: string;
  readonly node: string;
  readonly clientIP: string;
  /**
   * The address this request left from (its connection's local address), absent when no connection was made: what
   * the backend sees when nothing on the way rewrites it, in whichever family the URL's name resolved to.
   */
  readonly localIP?: string;
  readonly frontendPod?: string;
  readonly error: string;
  /** "blocked": the prober's destination guard refused an address outside the cluster before a packet was sent. */
  readonly errorKind: "" | "refused" | "timeout" | "dns" | "reset" | "http" | "blocked" | "other";
}

export interface HttpProbe {
  readonly url: string;
  readonly startedAt: string;
  /** The requests the prober started, in sequence order (always a prefix of the requested ones). */
  readonly results: HttpProbeResult[];
  /** Requests never started because the time budget (`maxDurationMs`) ran out first. */
  readonly notSent: number;
}

export interface DnsProbeResult {
  readonly seq: number;
  readonly startUnixMs: number;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly answers: string[] | null;
  readonly error: string;
  readonly errorKind: "" | "nxdomain" | "timeout" | "other";
}

export interface HttpProbeRequest {
  readonly url: string;
  /** 1 to {@link maxHttpProbeCount}; the prober answers 400 to anything else. */
  readonly count: number;
  readonly concurrency?: number;
  /** Per request, milliseconds (prober default 2000). */
  readonly timeoutMs?: number;
  /** Request i starts no earlier than i × intervalMs after the first. Milliseconds. */
  readonly intervalMs?: number;
  /** The prober starts no request after this many milliseconds (default {@link defaultProbeBudgetMs}). */
  readonly maxDurationMs?: number;
  /**
   * Where a pod without ALLOWED_NETWORKS in its environment (a demo backend sending through its own probe API) may
   * connect, as comma-separated CIDRs; a prober's own ALLOWED_NETWORKS wins over it.
   */
  readonly allowedNetworks?: string;
}

/** The prober's limit on `count` (images/demo/prober.go, maxHTTPCount). */
export const maxHttpProbeCount = 100_000;
/** The prober's time budget when a request names none (images/demo/prober.go, defaultMaxDurationMs). */
export const defaultProbeBudgetMs = 60_000;
/** The longest time budget the prober accepts (images/demo/prober.go, maxMaxDurationMs). */
export const maxProbeBudgetMs = 600_000;

/** Where the demo image serves its probe API in every role (a hostNetwork client listens elsewhere: see clients/). */
export const proberPort = 8080;

/** A DNS lookup the prober makes `count` times through the pod's resolver. */
export interface DnsProbeRequest {
  readonly name: string;
  readonly type: "A" | "AAAA" | "SRV" | "CNAME";
  readonly count?: number;
  /** Per lookup, milliseconds (prober default 2000). */
  readonly timeoutMs?: number;
}

/** Asks a prober pod (its probe API on `port`) to send `count` HTTP requests and returns every result. */
export async function probeHttp(
  kube: Kube,
  namespace: string,
  prober: string,
  request: HttpProbeRequest,
  port = proberPort,
): Promise<HttpProbe> {
  const budget = (request.maxDurationMs ?? defaultProbeBudgetMs) + (request.timeoutMs ?? 2000) + 15_000;
  return postToPod<HttpProbe>(kube, { namespace, pod: prober, port, path: "/probe/http" }, request, budget);
}

/** Asks a prober pod to resolve a name `count` times through the pod's resolver (cluster DNS). */
export async function probeDns(
  kube: Kube,
  namespace: string,
  prober: string,
  request: DnsProbeRequest,
  port = proberPort,
): Promise<DnsProbeResult[]> {
  const budget = (request.count ?? 1) * (request.timeoutMs ?? 2000) + 15_000;
  const answer = await postToPod<{ results: DnsProbeResult[] }>(
    kube,
    { namespace, pod: prober, port, path: "/probe/dns" },
    request,
    budget,
  );
  return answer.results;
}
