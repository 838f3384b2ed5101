import type { V1EndpointSlice, V1Endpoints, V1ObjectReference, V1Pod } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";
import { apiStatus } from "../kube/client.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";

/** The value of endpointslice.kubernetes.io/managed-by on the slices Kubernetes' EndpointSlice controller makes. */
export const controllerManagedBy = "endpointslice-controller.k8s.io";
const managedByLabel = "endpointslice.kubernetes.io/managed-by";

/** One endpoint a Service should list: a pod of the scenario, reached on a named port at a container port. */
export interface ExpectedEndpoint {
  readonly pod: string;
  readonly portName: string;
  readonly port: number;
  /** TCP unless the table says otherwise. */
  readonly protocol: string;
}

/** What the API server holds for one Service: its EndpointSlices, its Endpoints (undefined: none) and its pods. */
export interface EndpointObjects {
  readonly namespace: string;
  readonly slices: readonly V1EndpointSlice[];
  readonly endpoints: V1Endpoints | undefined;
  /** The pods of the namespace: an endpoint is named by the pod at its IP. */
  readonly pods: readonly V1Pod[];
}

/**
 * Reads a data table of expected endpoints (columns `pod`, `port name`, `port`, and optionally `protocol`: TCP when
 * absent). A missing column or a port that is not a number is the feature's mistake, reported with the table as it is.
 */
export function parseExpectedEndpoints(rows: readonly Record<string, string>[]): ExpectedEndpoint[] {
  return rows.map((row, index) => {
    const pod = row.pod?.trim();
    const portName = row["port name"]?.trim();
    const port = Number(row.port);
    if (!pod || portName === undefined || !Number.isInteger(port) || port <= 0) {
      throw new UserError(
        `row ${index + 1} of the endpoints table (${JSON.stringify(row)}) needs a pod, a port name and a port number`,
        "write the table with the header | pod | port name | port | and one row per pod and port, e.g. | web-0 | http | 8080 |.",
      );
    }
    const protocol = row.protocol?.trim() || "TCP";
    if (!["TCP", "UDP", "SCTP"].includes(protocol)) {
      throw new UserError(
        `row ${index + 1} of the endpoints table names the protocol "${protocol}"`,
        "write TCP, UDP or SCTP (or leave the protocol column out for TCP).",
      );
    }
    return { pod, portName, port, protocol };
  });
}

/** "pod1 http=3000/TCP": one endpoint in messages, and the unit both sides are compared in. */
function entry(pod: string, name: string, port: number | undefined, protocol: string | undefined): string {
  return `${pod} ${name}=${port ?? "?"}/${protocol ?? "TCP"}`;
}

/** Why a targetRef does not point at the pod (kind, namespace, name and uid must all match), or undefined. */
function targetRefProblem(ref: V1ObjectReference | undefined, pod: V1Pod, namespace: string): string | undefined {
  const name = pod.metadata?.name;
  if (!ref) return `the endpoint of ${name} has no targetRef`;
  const seen = `${ref.kind}/${ref.namespace}/${ref.name} uid ${ref.uid}`;
  const want = `Pod/${namespace}/${name} uid ${pod.metadata?.uid}`;
  return seen === want ? undefined : `the endpoint at ${pod.status?.podIP} has targetRef ${seen}, expected ${want}`;
}

/**
 * Compares what the API server holds with the expected endpoints, as Kubernetes' e2e test "should create Endpoints
 * and EndpointSlices for Pods matching a Service" does: every EndpointSlice is managed by the EndpointSlice
 * controller; each endpoint is the pod's IP with a targetRef to that pod (uid included); the (pod, port name,
 * port) pairs of the slices, and of the Endpoints' subsets, are exactly the expected ones, each once, so pods whose
 * named port resolves to different container ports sit in different slices. With nothing expected, there must be
 * exactly one slice, with no endpoint and no port, and Endpoints without subsets.
 * Returns the problems (none: as expected) and a one-line view of what was seen.
 */
export function compareEndpoints(
  objects: EndpointObjects,
  expected: readonly ExpectedEndpoint[],
): { problems: string[]; seen: string } {
  const problems: string[] = [];
  // Every address of a pod: on a dual-stack cluster status.podIP is the primary family's only, and a single-family
  // Service of the other family lists the pod by its address in status.podIPs. (A dual-stack Service lists each pod
  // once per family, so this exact listing is for single-family Services.)
  const byIP = new Map(
    objects.pods.flatMap((pod) =>
      (pod.status?.podIPs ?? [{ ip: pod.status?.podIP ?? "" }]).map((podIP) => [podIP.ip, pod] as const),
    ),
  );
  const names = new Set(objects.pods.map((pod) => pod.metadata?.name));
  const missingPods = [...new Set(expected.map((e) => e.pod))].filter((name) => !names.has(name));
  if (missingPods.length > 0) problems.push(`no pod ${missingPods.join(", ")} in the namespace`);
  const podAt = (ip: string, ref: V1ObjectReference | undefined): string => {
    const pod = byIP.get(ip);
    if (!pod) {
      problems.push(`${ip} (${ref?.name ?? "no targetRef"}) is not the IP of a pod in the namespace`);
      return ref?.name ?? ip;
    }
    const problem = targetRefProblem(ref, pod, objects.namespace);
    if (problem) problems.push(problem);
    return pod.metadata?.name ?? ip;
  };

  const sliceEntries: string[] = [];
  const sliceViews: string[] = [];
  for (const slice of objects.slices) {
    const name = slice.metadata?.name ?? "?";
    const managedBy = slice.metadata?.labels?.[managedByLabel];
    if (managedBy !== controllerManagedBy) {
      problems.push(`EndpointSlice ${name} is labelled ${managedByLabel}=${managedBy ?? "(none)"}`);
    }
    const entries = (slice.endpoints ?? []).flatMap((endpoint) => {
      const pod = podAt(endpoint.addresses[0] ?? "", endpoint.targetRef);
      return (slice.ports ?? []).map((p) => entry(pod, p.name ?? "", p.port, p.protocol));
    });
    sliceEntries.push(...entries);
    const ports = (slice.ports ?? []).map((p) => `${p.name ?? ""}=${p.port}`).join(",") || "no ports";
    sliceViews.push(`${name} [${ports}; ${(slice.endpoints ?? []).length} endpoint(s)]`);
  }

  const endpointsEntries: string[] = [];
  for (const subset of objects.endpoints?.subsets ?? []) {
    for (const address of [...(subset.addresses ?? []), ...(subset.notReadyAddresses ?? [])]) {
      const pod = podAt(address.ip, address.targetRef);
      for (const p of subset.ports ?? []) endpointsEntries.push(entry(pod, p.name ?? "", p.port, p.protocol));
    }
  }

  const want = expected.map((e) => entry(e.pod, e.portName, e.port, e.protocol)).sort();
  const listed = (entries: string[]) => entries.sort().join(", ") || "nothing";
  if (objects.slices.length === 0) problems.push("no EndpointSlice");
  else if (listed(sliceEntries) !== listed([...want])) {
    problems.push(`the EndpointSlices list ${listed(sliceEntries)}`);
  }
  if (!objects.endpoints) problems.push("no Endpoints object");
  else if (listed(endpointsEntries) !== listed([...want])) {
    problems.push(`the Endpoints list ${listed(endpointsEntries)}`);
  }
  if (expected.length === 0) {
    if (objects.slices.length > 1) problems.push(`${objects.slices.length} EndpointSlices, expected exactly one`);
    if (objects.slices.some((s) => (s.ports ?? []).length > 0)) problems.push("the empty EndpointSlice has ports");
    if ((objects.endpoints?.subsets ?? []).length > 0) problems.push("the Endpoints have subsets");
  }
  const seen = `EndpointSlices ${sliceViews.join(" | ") || "none"}: ${listed(sliceEntries)}; Endpoints: ${
    objects.endpoints ? listed(endpointsEntries) : "none"
  }`;
  return { problems: [...new Set(problems)], seen };
}

/**
 * A Service of the scenario, as the {service} parameter type hands it over (services/service.ts): named by shape, so
 * the endpoints domain does not depend on the services domain that depends on it.
 */
export interface ServiceOfScenario {
  readonly scenario: ScenarioContext;
  readonly name: string;
}

/**
 * Waits until the Service's EndpointSlices and Endpoints list exactly the expected endpoints (see
 * {@link compareEndpoints}); an empty expectation means one empty slice. The timeout says what was seen last and
 * every problem with it. Seconds in.
 */
export async function waitForEndpointObjects(
  handle: ServiceOfScenario,
  expected: readonly ExpectedEndpoint[],
  seconds: number,
): Promise<void> {
  const { scenario, name: service } = handle;
  const want =
    expected.length === 0
      ? "no endpoint (one empty EndpointSlice made by the EndpointSlice controller, Endpoints without subsets)"
      : `exactly ${expected.map((e) => entry(e.pod, e.portName, e.port, e.protocol)).join(", ")}, in EndpointSlices made by the EndpointSlice controller with each endpoint's targetRef its pod`;
  const { value } = await eventually(
    `the EndpointSlices and Endpoints of Service ${service} list ${want}`,
    async () => {
      const { problems, seen } = compareEndpoints(await readEndpointObjects(scenario, service), expected);
      return {
        satisfied: problems.length === 0,
        value: problems.length === 0 ? seen : `${seen}; problems: ${problems.join("; ")}`,
      };
    },
    { timeoutMs: Math.max(seconds * 1000, 1), intervalMs: 250 },
  );
  scenario.note(`Service ${service}: ${value}`);
}

async function readEndpointObjects(scenario: ScenarioContext, service: string): Promise<EndpointObjects> {
  const namespace = scenario.name;
  const { discovery, core } = scenario.kube;
  const slices = await discovery.listNamespacedEndpointSlice({
    namespace,
    labelSelector: `kubernetes.io/service-name=${service}`,
  });
  const endpoints = await readEndpoints(scenario, service);
  const pods = await core.listNamespacedPod({ namespace });
  return { namespace, slices: slices.items, endpoints, pods: pods.items };
}

/** The Service's v1 Endpoints object in the scenario's namespace; undefined when there is none (yet). */
export async function readEndpoints(scenario: ScenarioContext, service: string): Promise<V1Endpoints | undefined> {
  try {
    return await scenario.kube.core.readNamespacedEndpoints({ name: service, namespace: scenario.name });
  } catch (error) {
    if (apiStatus(error) === 404) return undefined;
    throw error;
  }
}

/** Waits until no EndpointSlice is labelled with the Service's name (the garbage collector removed them). */
export async function waitForNoEndpointSlices(handle: ServiceOfScenario, seconds: number) {
  const { scenario, name: service } = handle;
  await eventually(
    `no EndpointSlice of Service ${service} is left`,
    async () => {
      const slices = await scenario.kube.discovery.listNamespacedEndpointSlice({
        namespace: scenario.name,
        labelSelector: `kubernetes.io/service-name=${service}`,
      });
      const names = slices.items.map((s) => s.metadata?.name);
      return { satisfied: names.length === 0, value: names.length === 0 ? "none" : `left: ${names.join(", ")}` };
    },
    { timeoutMs: Math.max(seconds * 1000, 1), intervalMs: 250 },
  );
}
