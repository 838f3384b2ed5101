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
  readonly frontendPod?: string;
  readonly error: string;
  readonly errorKind: "" | "refused" | "timeout" | "dns" | "reset" | "http" | "other";
}

export interface HttpProbe {
  readonly url: string;
  readonly startedAt: string;
  readonly results: HttpProbeResult[];
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
  readonly count: number;
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  readonly maxDurationMs?: number;
}

const proberPort = 8080;

/** Asks a prober pod to send `count` HTTP requests and returns every result. */
export async function probeHttp(
  kube: Kube,
  namespace: string,
  prober: string,
  request: HttpProbeRequest,
): Promise<HttpProbe> {
  const budget = (request.maxDurationMs ?? 60_000) + (request.timeoutMs ?? 2000) + 15_000;
  return postToPod<HttpProbe>(kube, { namespace, pod: prober, port: proberPort, path: "/probe/http" }, request, budget);
}

/** Asks a prober pod to resolve a name `count` times through the pod's resolver (cluster DNS). */
export async function probeDns(
  kube: Kube,
  namespace: string,
  prober: string,
  request: { name: string; type: "A" | "AAAA" | "SRV" | "CNAME"; count?: number; timeoutMs?: number },
): Promise<DnsProbeResult[]> {
  const budget = (request.count ?? 1) * (request.timeoutMs ?? 2000) + 15_000;
  const answer = await postToPod<{ results: DnsProbeResult[] }>(
    kube,
    { namespace, pod: prober, port: proberPort, path: "/probe/dns" },
    request,
    budget,
  );
  return answer.results;
}
