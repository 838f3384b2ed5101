import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  KubernetesObjectApi,
} from "@kubernetes/client-node";
import { Agent, request } from "undici";
import { UserError } from "../errors/user-error.ts";
import { type KubeTarget, loadTarget } from "./kubeconfig.ts";

/** Typed API clients for one cluster, plus an HTTPS agent that speaks to its API server with the same credentials. */
export interface Kube {
  readonly config: KubeConfig;
  readonly server: string;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly discovery: DiscoveryV1Api;
  readonly objects: KubernetesObjectApi;
  /** Custom resources (MetalLB's pools and L2 statuses), made once like the others, not per poll. */
  readonly custom: CustomObjectsApi;
  readonly agent: Agent;
  readonly headers: Record<string, string>;
}

/**
 * Connects to a cluster: a kubeconfig file (its current context), or a {@link KubeTarget} chosen by kubectl's rules
 * (several files merged, a context picked in memory; nobody's current-context is rewritten).
 */
export async function connectKube(source: string | KubeTarget): Promise<Kube> {
  let config: KubeConfig;
  let kubeconfigPath: string;
  if (typeof source === "string") {
    kubeconfigPath = source;
    config = new KubeConfig();
    try {
      config.loadFromFile(source);
    } catch (error) {
      throw new UserError(
        `cannot read kubeconfig ${source}: ${error instanceof Error ? error.message : error}`,
        "run `npx kubequake cluster up` (it writes that file), or name another kubeconfig with --kubeconfig or KUBECONFIG.",
      );
    }
  } else {
    config = loadTarget(source).config;
    kubeconfigPath = source.files.join(", ");
  }
  const cluster = config.getCurrentCluster();
  if (!cluster)
    throw new UserError(`kubeconfig ${kubeconfigPath} has no current cluster`, "run `npx kubequake cluster up`.");
  const tls: { ca?: Buffer | string; cert?: Buffer | string; key?: Buffer | string; headers?: Record<string, string> } =
    {};
  await config.applyToHTTPSOptions(tls as never);
  return {
    config,
    server: cluster.server,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    discovery: config.makeApiClient(DiscoveryV1Api),
    objects: KubernetesObjectApi.makeApiClient(config),
    custom: config.makeApiClient(CustomObjectsApi),
    agent: new Agent({ connect: { ca: tls.ca, cert: tls.cert, key: tls.key } }),
    headers: { ...(tls.headers ?? {}) },
  };
}

/**
 * POSTs JSON to a port of a pod through the API server's pod proxy, so the caller needs no route into the
 * pod network. Returns the parsed JSON answer; an HTTP error carries the status and body in the message.
 */
export function postToPod<T>(
  kube: Kube,
  target: { namespace: string; pod: string; port: number; path: string },
  body: unknown,
  timeoutMs: number,
): Promise<T> {
  return callPod<T>(kube, "POST", target, JSON.stringify(body), timeoutMs);
}

/** GETs JSON from a port of a pod through the API server's pod proxy; `path` may carry a query. As {@link postToPod}. */
export function getFromPod<T>(
  kube: Kube,
  target: { namespace: string; pod: string; port: number; path: string },
  timeoutMs: number,
): Promise<T> {
  return callPod<T>(kube, "GET", target, undefined, timeoutMs);
}

async function callPod<T>(
  kube: Kube,
  method: "GET" | "POST",
  target: { namespace: string; pod: string; port: number; path: string },
  body: string | undefined,
  timeoutMs: number,
): Promise<T> {
  const url = `${kube.server}/api/v1/namespaces/${target.namespace}/pods/${target.pod}:${target.port}/proxy${target.path}`;
  const response = await request(url, {
    method,
    dispatcher: kube.agent,
    headers: { ...kube.headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) {
    throw new Error(
      `${method} ${target.path} to pod ${target.namespace}/${target.pod} answered ${response.statusCode}: ${text.slice(0, 500)}`,
    );
  }
  return JSON.parse(text) as T;
}

/** The HTTP status of a failed client-node call (its ApiException carries `code`), if any. */
export function apiStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/** The API server's own words for a failed call, in one line: "HTTP 409: services \"web\" already exists". */
export function apiErrorMessage(error: unknown): string {
  const status = apiStatus(error);
  const body = (error as { body?: unknown } | null)?.body;
  let message: string | undefined;
  if (typeof body === "string") {
    try {
      message = (JSON.parse(body) as { message?: string }).message;
    } catch {
      message = body.slice(0, 300);
    }
  } else if (body && typeof body === "object") {
    message = (body as { message?: string }).message;
  }
  message ??= error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
  return status ? `HTTP ${status}: ${message}` : message;
}
