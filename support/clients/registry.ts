import { type AddressInfo, createServer } from "node:net";
import type { V1Pod } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";
import { listPods, waitForReadyPods } from "../kube/pods.ts";
import { type HttpProbe, type HttpProbeRequest, proberPort } from "../kube/prober.ts";
import { proberPod } from "../kube/workloads.ts";
import { outsideSubnets, type StartedOutsideContainer, startOutsideContainer } from "../outside/containers.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";
import { assertRequestCount, type TrafficResult } from "../traffic/client.ts";
import {
  type Client,
  type ClientIdentity,
  makeClient,
  makePodClient,
  once,
  type PodClient,
  podIdentity,
} from "./client.ts";
import { hostAddress, hostAddresses, probeFromHost } from "./host.ts";
import { directProberApi } from "./prober-api.ts";

/*
 * The scenario's clients, one registry: each is made on first use (a pod created and awaited Ready, a container
 * started) and found again by the same call later; steps name them through the {client} parameter type.
 */

interface Clients {
  /** By pod name for pods; `outside:<name>`, `backend:<name>` and `host` for the others. */
  readonly byKey: Map<string, Client>;
  /** Containers the outside clients run in, removed at cleanup (pods go with the namespace). */
  readonly containers: StartedOutsideContainer[];
}

const clientsSlot = defineSlot<Clients>(
  "clients",
  () => ({ byKey: new Map(), containers: [] }),
  async (clients) => {
    const removed = await Promise.allSettled(clients.containers.splice(0).map((container) => container.remove()));
    const errors = removed.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    if (errors.length > 0) throw new AggregateError(errors, "removing the outside clients' containers failed");
  },
);

function registered<T extends Client>(scenario: ScenarioContext, key: string, make: () => T): T {
  const { byKey } = scenario.slot(clientsSlot);
  let client = byKey.get(key);
  if (!client) {
    client = make();
    byKey.set(key, client);
  }
  return client as T;
}

/** How much time a client pod gets to become Ready (image present on the node: a few seconds; a busy node: more). */
const podReadyTimeoutMs = 90_000;

/** How a pod client is made: its pod's name, how steps name it, its manifest, and where its probe API listens. */
interface PodRecipe {
  readonly name: string;
  readonly label: string;
  readonly manifest: () => V1Pod | Promise<V1Pod>;
  readonly kind?: PodClient["kind"];
  /** Default: the demo image's port, 8080. */
  readonly port?: number;
}

/**
 * A pod client the scenario makes from `manifest` (a prober pod, reshaped as the caller needs) on first use, as the
 * pod `name`; `port` is where its probe API listens. Found again by name: the same client every later call.
 */
export function clientPodFrom(scenario: ScenarioContext, options: PodRecipe): PodClient {
  return registered(scenario, options.name, () => podClientMadeFrom(scenario, options));
}

/**
 * Makes the pod client `name` now from `manifest` and registers it, replacing one of the same name (a client pod a
 * step describes in YAML: each description is applied, never skipped as already made).
 */
export async function createClientPodNow(
  scenario: ScenarioContext,
  options: { name: string; manifest: V1Pod },
): Promise<PodClient> {
  const client = podClientMadeFrom(scenario, {
    name: options.name,
    label: `the pod "${options.name}"`,
    manifest: () => options.manifest,
  });
  scenario.slot(clientsSlot).byKey.set(options.name, client);
  await client.start();
  return client;
}

function podClientMadeFrom(scenario: ScenarioContext, options: PodRecipe): PodClient {
  return makePodClient(scenario, {
    kind: options.kind ?? "pod",
    label: options.label,
    port: options.port,
    start: once(async () => {
      await scenario.namespace.apply(await options.manifest());
      const [pod] = await waitForReadyPods(
        scenario.kube,
        scenario.name,
        { "kubequake.dev/prober": options.name },
        1,
        podReadyTimeoutMs,
      );
      return pod ? podIdentity(options.name, pod) : { name: options.name, address: "", node: "" };
    }),
  });
}

/** "a client pod": the scenario's prober pod number `index` (several have distinct pod IPs, for ClientIP affinity). */
export function clientPod(scenario: ScenarioContext, index = 0): PodClient {
  const name = `client-${index}`;
  return clientPodFrom(scenario, {
    name,
    label: index === 0 ? "a client pod" : `client pod ${name}`,
    manifest: () => proberPod(name, scenario.image, scenario.allowedNetworks),
  });
}

/** `count` client pods, made in parallel: the clients of "N client pods each send …" and of steady traffic. */
export async function clientPods(scenario: ScenarioContext, count: number): Promise<PodClient[]> {
  const clients = Array.from({ length: count }, (_, index) => clientPod(scenario, index));
  await Promise.all(clients.map((client) => client.start()));
  return clients;
}

/** The pod names of `count` client pods, made in parallel: the background load takes pods by name. */
export async function clientPodNames(scenario: ScenarioContext, count: number): Promise<string[]> {
  const clients = await clientPods(scenario, count);
  return Promise.all(clients.map(async (client) => (await client.start()).name));
}

/** Sends the same traffic from `count` client pods at once (distinct client IPs), one result per client. */
export async function sendFromClientPods(
  scenario: ScenarioContext,
  count: number,
  request: HttpProbeRequest,
): Promise<TrafficResult[]> {
  if (!Number.isInteger(count) || count < 1) {
    throw new UserError(
      `cannot send requests from ${count} client pod(s): at least 1 client is needed, so nothing was sent`,
      `ask for 1 or more clients, e.g. When 8 client pods each send 15 requests to "${request.url}".`,
    );
  }
  assertRequestCount(request.count, request.url);
  const clients = await clientPods(scenario, count);
  return Promise.all(clients.map((client) => client.send(request)));
}

/** "a client pod on node n": a prober pod pinned to the node (by name), e.g. to check routing from every node. */
export function clientPodOnNode(scenario: ScenarioContext, node: string): PodClient {
  const name = `client-0-${node.replace(/[^a-z0-9]/g, "")}`;
  return clientPodFrom(scenario, {
    name,
    label: `a client pod on node "${node}"`,
    manifest: () => proberPod(name, scenario.image, scenario.allowedNetworks, node),
  });
}

/** Ports the hostNetwork clients listen on: below the NodePort range, one per scenario namespace. */
function hostPort(namespace: string): number {
  let hash = 0;
  for (const c of namespace) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return 20_000 + (hash % 9_000);
}

/**
 * "a hostNetwork client on node n": a prober in the node's own network namespace (hostNetwork: true, dnsPolicy
 * ClusterFirstWithHostNet), so its requests come from the node's IP as a node-local process's would. Its probe API
 * listens on a port of the node's own, one per scenario, so scenarios side by side on a node do not collide.
 */
export function hostNetworkClient(scenario: ScenarioContext, node: string): PodClient {
  const name = `host-client-${node.replace(/[^a-z0-9]/g, "")}`.slice(0, 63);
  const port = hostPort(scenario.name);
  return clientPodFrom(scenario, {
    name,
    label: `a hostNetwork client on node "${node}"`,
    kind: "hostNetwork pod",
    port,
    manifest: () => {
      const pod = proberPod(name, scenario.image, scenario.allowedNetworks, node);
      const container = pod.spec!.containers[0]!;
      container.env = [...(container.env ?? []), { name: "LISTEN", value: `:${port}` }];
      container.ports = [{ name: "probe", containerPort: port }];
      container.readinessProbe = { ...container.readinessProbe, httpGet: { path: "/readyz", port } };
      pod.spec = { ...pod.spec!, hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" };
      return pod;
    },
  });
}

/**
 * "a pod of web": a ready pod of a demo backend (pods labelled app=<backend>), sending through the backend's own
 * probe API, so a pod can reach itself through its Service (hairpin). Found anew for every batch: pods come and go.
 */
export function backendPodClient(scenario: ScenarioContext, backend: string): PodClient {
  return registered(scenario, `backend:${backend}`, () =>
    makePodClient(scenario, {
      kind: "pod",
      label: `a pod of "${backend}"`,
      port: proberPort,
      async start() {
        const ready = (await listPods(scenario.kube, scenario.name, { app: backend })).filter(
          (p) => p.ready && !p.terminating,
        );
        const [pod] = ready;
        if (!pod) {
          throw new UserError(
            `no ready pod of "${backend}" (pods labelled app=${backend}) to send from`,
            "deploy the backend first (Given the demo backend runs …) and wait until it is ready.",
          );
        }
        return podIdentity(pod.name, pod);
      },
    }),
  );
}

/**
 * "an outside client", "the outside client alice": a demo prober container on the kind network (its own address,
 * next to the nodes), started on first use and removed at the scenario's cleanup. It may connect only to the kind
 * network.
 */
export function outsideClient(scenario: ScenarioContext, name = "outside"): Client {
  return registered(scenario, `outside:${name}`, () =>
    makeClient(scenario, {
      kind: "outside container",
      label: name === "outside" ? "an outside client" : `the outside client "${name}"`,
      start: once(async () => {
        const container = await startOutsideContainer(scenario, {
          name: `client-${name}`.replace(/[^a-zA-Z0-9_.-]/g, "-"),
          command: ["prober"],
          env: { ALLOWED_NETWORKS: await outsideSubnets() },
        });
        scenario.slot(clientsSlot).containers.push(container);
        return {
          name: container.name,
          address: container.ip,
          ...(container.ipv6 ? { ipv6Address: container.ipv6 } : {}),
        };
      }, true),
      shownAs: (_container, sentFrom) => `outside client "${name}" (${sentFrom})`,
      probe: (container, request) => probeContainer(container, request),
      proberApi: (container) =>
        directProberApi(`outside client "${name}" (${container.address})`, `http://${container.address}:${proberPort}`),
    }),
  );
}

/**
 * "the host": this machine itself, on the kind network as its gateway. Its few requests go from this process; its
 * background load goes from a demo prober in the host's own network namespace (a container with `--network host`,
 * started on first use and removed at cleanup): the same engine and samples as every other client's load, and
 * requests that leave from the host's own address, as this process's do. Its API listens on 127.0.0.1 only.
 */
export function hostClient(scenario: ScenarioContext): Client {
  const proberApi = once(async () => {
    const port = await freeLocalPort();
    const container = await startOutsideContainer(scenario, {
      name: "host-prober",
      command: ["prober"],
      hostNetwork: true,
      env: { ALLOWED_NETWORKS: await outsideSubnets(), LISTEN: `127.0.0.1:${port}` },
    });
    scenario.slot(clientsSlot).containers.push(container);
    return directProberApi(`the host (${await hostAddress()})`, `http://127.0.0.1:${port}`);
  }, true);
  return registered(scenario, "host", () =>
    makeClient(scenario, {
      kind: "host",
      label: "the host",
      start: once(async () => {
        return { name: "host", ...(await hostAddresses()) };
      }),
      shownAs: (_host, sentFrom) => `the host (${sentFrom})`,
      probe: (_host, request) => probeFromHost({ concurrency: 4, timeoutMs: 2000, ...request }),
      proberApi: () => proberApi(),
    }),
  );
}

/** A TCP port on 127.0.0.1 nothing listens on now (the kernel's pick), for a prober in the host's network. */
function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The pod client `name` a step made ("the pod c"); a UserError listing the scenario's clients for any other. */
export function madeClientPod(scenario: ScenarioContext, name: string): PodClient {
  const client = scenario.peek(clientsSlot)?.byKey.get(name);
  if (client && (client.kind === "pod" || client.kind === "hostNetwork pod")) return client as PodClient;
  const known = [...(scenario.peek(clientsSlot)?.byKey.values() ?? [])].map((c) => c.label);
  throw new UserError(
    `the pod "${name}" is not a client of this scenario (its clients so far: ${known.join(", ") || "none"})`,
    `make it first, e.g. When the client pod "${name}" is: (pod-level YAML such as spec.nodeName), or use one of the clients above.`,
  );
}

/** A pod client the scenario has registered as `name`, if any (e.g. the TCP DNS client once asked for). */
export function registeredPod(scenario: ScenarioContext, name: string): PodClient | undefined {
  const client = scenario.peek(clientsSlot)?.byKey.get(name);
  return client && client.kind !== "outside container" && client.kind !== "host" ? (client as PodClient) : undefined;
}

/** The prober API of an outside container, reached directly on the kind network. */
async function probeContainer(container: ClientIdentity, request: HttpProbeRequest): Promise<HttpProbe> {
  const budget = (request.maxDurationMs ?? 0) + (request.timeoutMs ?? 0) + 15_000;
  const response = await fetch(`http://${container.address}:${proberPort}/probe/http`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(budget),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`the outside client ${container.name} answered ${response.status}: ${text}`);
  return JSON.parse(text) as HttpProbe;
}
