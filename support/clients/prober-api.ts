import { getFromPod, type Kube, postToPod } from "../kube/client.ts";
import { proberPort } from "../kube/prober.ts";

/**
 * The demo image's prober HTTP API of one client, however it is reached: a pod's through the API server's pod proxy
 * (no route into the pod network is needed), an outside container's directly on the kind network or on this machine.
 * The background load (support/chaos/load.ts) drives every kind of client through it, so its samples are the same.
 */
export interface ProberApi {
  /** The client as traffic reports name it: the pod's name, or the outside client with its address. */
  readonly name: string;
  /** POSTs JSON to `path` (with its query) and returns the parsed answer; an HTTP error carries status and body. */
  post<T>(path: string, body: unknown, timeoutMs: number): Promise<T>;
  /** GETs JSON from `path` (with its query), as {@link ProberApi.post}. */
  get<T>(path: string, timeoutMs: number): Promise<T>;
}

/** The prober API of a pod, through the API server's pod proxy. */
export function podProberApi(kube: Kube, namespace: string, pod: string, port = proberPort): ProberApi {
  const target = (path: string) => ({ namespace, pod, port, path });
  return {
    name: pod,
    post: (path, body, timeoutMs) => postToPod(kube, target(path), body, timeoutMs),
    get: (path, timeoutMs) => getFromPod(kube, target(path), timeoutMs),
  };
}

/**
 * The prober API of a container this machine reaches directly (`base`: "http://172.18.0.9:8080", or
 * "http://127.0.0.1:PORT" for one in the host's network), without the API server in the way.
 */
export function directProberApi(name: string, base: string): ProberApi {
  const call = async <T>(method: "GET" | "POST", path: string, body: unknown, timeoutMs: number): Promise<T> => {
    const response = await fetch(`${base}${path}`, {
      method,
      ...(method === "POST" ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${base}${path} (${name}) answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    name,
    post: (path, body, timeoutMs) => call("POST", path, body, timeoutMs),
    get: (path, timeoutMs) => call("GET", path, undefined, timeoutMs),
  };
}
