import type { V1Service } from "@kubernetes/client-node";
import type { PodClient } from "../clients/client.ts";
import { clientPod } from "../clients/registry.ts";
import { endpointWatcher } from "../endpoints/watcher.ts";
import { listPods } from "../kube/pods.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";
import { familyOf, urlHost } from "./families.ts";

/**
 * What "in service" means in kubequake, the one definition every step that makes or changes a Service waits for (the
 * demo backend behind a Service, a Service selecting running pods, a manifest's Services, a changed selector, an
 * ExternalName turned back into a ClusterIP Service, the demo frontend, a LoadBalancer Service through its ClusterIP). It is the strict
 * one: a count of ready endpoints, one lookup and three answered requests (what an earlier, looser wait asked) pass
 * while kube-proxy still routes to pods a selector change left behind, or while one CoreDNS replica has not yet seen
 * the Service. A Service is in service, as far as its pods allow, when:
 * - its EndpointSlices list exactly the pods its selector matches that are ready (with publishNotReadyAddresses:
 *   that have an IP and have not finished, ready or not, terminating or not), none being fine: then there is nothing
 *   more to wait for, and a request would rightly be refused;
 * - its name resolves from a client pod in each of several lookups (CoreDNS has seen it: to the ClusterIP, or to the
 *   pods when headless);
 * - unless headless, its EndpointSlices carry every port of the Service, and every TCP port answers through the
 *   ClusterIP from a client pod in two batches in a row (kube-proxy has programmed it): a backend that says who it is
 *   (the demo image) must be one of the ready pods, so a changed selector counts only once the new pods answer; any
 *   other backend must accept connections. UDP and SCTP ports are not probed here: what answers on them is up to the
 *   backend.
 * A Service without a selector (manual endpoints) or of type ExternalName has nothing to wait for.
 */
export async function waitUntilInService(scenario: ScenarioContext, name: string, timeoutSeconds = 60): Promise<void> {
  const service = await scenario.kube.core.readNamespacedService({ name, namespace: scenario.name });
  const selector = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0 || service.spec?.type === "ExternalName") return;
  // With publishNotReadyAddresses, every running pod with an IP counts as ready in the EndpointSlices and in DNS,
  // terminating ones included (the EndpointSlice controller's ShouldPodBeInEndpoints keeps them for this flag).
  const publishAll = service.spec?.publishNotReadyAddresses === true;
  const finished = (phase: string) => phase === "Succeeded" || phase === "Failed";
  const readyPods = async () =>
    (await listPods(scenario.kube, scenario.name, selector))
      .filter((p) => (publishAll ? p.ip !== "" && !finished(p.phase) : p.ready && !p.terminating))
      .map((p) => p.name)
      .sort();
  const ready = await readyPods();
  // With a pod ready, the client pod that checks DNS and routing starts while the endpoints settle.
  const client = clientPod(scenario);
  const clientStarted = ready.length > 0 ? client.start() : undefined;
  // A start that fails is reported where the client is awaited below, not as an unhandled rejection meanwhile.
  clientStarted?.catch(() => {});
  await endpointWatcher(scenario, name).waitFor(
    `Service ${name} lists exactly its ${ready.length} ${publishAll ? "" : "ready "}pod(s) as ready endpoints (${ready.join(", ") || "none"})`,
    (endpoints) => [...new Set(endpoints.filter((e) => e.ready).map((e) => e.pod))].sort().join() === ready.join(),
    timeoutSeconds * 1000,
  );
  if (ready.length === 0) return;
  const headless = service.spec?.clusterIP === "None";
  await clientStarted;
  // DNS (CoreDNS has seen the Service) and routing (kube-proxy has programmed it) are independent: checked at once.
  await Promise.all([
    // Headless: as many addresses as pods ready now, read on every try, since a pod made unready just before may only
    // now fail its readiness probe, and DNS follows what the pods are, not what they were when the wait began.
    waitForName(client, service, headless ? async () => (await readyPods()).length : undefined),
    headless ? Promise.resolve() : waitUntilEveryPortAnswers(scenario, client, service, ready),
  ]);
}

/** Every port is in the EndpointSlices, and every TCP port answers through the ClusterIP from `ready` pods only. */
async function waitUntilEveryPortAnswers(
  scenario: ScenarioContext,
  client: PodClient,
  service: V1Service,
  ready: readonly string[],
): Promise<void> {
  const name = service.metadata!.name!;
  await waitForSlicePorts(scenario, service);
  // A dual-stack Service is in service when each of its ClusterIPs answers: kube-proxy programs each family apart.
  const clusterIPs = service.spec?.clusterIPs ?? [service.spec?.clusterIP ?? ""];
  for (const [clusterIP, port] of clusterIPs.flatMap((ip) =>
    (service.spec?.ports ?? []).map((p) => [ip, p] as const),
  )) {
    if ((port.protocol ?? "TCP") !== "TCP") continue;
    const address = `${urlHost(clusterIP)}:${port.port}`;
    // Two clean batches in a row: one batch can pass while kube-proxy is still rewriting the node's rules.
    let clean = 0;
    await eventually(
      `Service ${name} answers at ${address} from its ready pods only (two batches of 5 in a row)`,
      async () => {
        const seen = await answeredByReadyPods(client, address, ready);
        clean = seen.satisfied ? clean + 1 : 0;
        return { satisfied: clean >= 2, value: seen.value };
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }
}

/** The Service's name resolves from the client: to its ClusterIP, or (headless) to as many addresses as pods are ready. */
async function waitForName(client: PodClient, service: V1Service, readyCount: (() => Promise<number>) | undefined) {
  const name = service.metadata!.name!;
  const primaryFamily = service.spec?.ipFamilies?.[0] ?? familyOf(service.spec?.clusterIP ?? "0.0.0.0");
  await eventually(
    `the name ${name} resolves from a client`,
    async () => {
      // Several lookups: each may reach another CoreDNS replica, and one that has not seen the Service yet (its
      // watch lagging, e.g. after an API server restart) answers NXDOMAIN while another already answers.
      // The name's records are of the Service's primary family: AAAA when its first family is IPv6.
      const lookups = await client.lookUp({ name, type: primaryFamily === "IPv6" ? "AAAA" : "A", count: 6 });
      const pods = readyCount ? await readyCount() : undefined;
      const good = (l: (typeof lookups)[number]) =>
        l.ok &&
        (pods === undefined ? (l.answers ?? []).join() === service.spec?.clusterIP : (l.answers ?? []).length === pods);
      return {
        satisfied: lookups.length > 0 && lookups.every(good),
        value: {
          expected: pods === undefined ? service.spec?.clusterIP : `${pods} address(es)`,
          seen: lookups.map((l) => (l.ok ? (l.answers ?? []).join(" ") : l.errorKind)),
        },
      };
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

/** Every port of the Service appears (by name) in its EndpointSlices: a port just added has endpoints too. */
async function waitForSlicePorts(scenario: ScenarioContext, service: V1Service): Promise<void> {
  const name = service.metadata!.name!;
  const wanted = (service.spec?.ports ?? []).map((p) => p.name ?? "").sort();
  await eventually(
    `the EndpointSlices of ${name} carry every port of the Service (${wanted.join(", ") || "unnamed"})`,
    async () => {
      const slices = await scenario.kube.discovery.listNamespacedEndpointSlice({
        namespace: scenario.name,
        labelSelector: `kubernetes.io/service-name=${name}`,
      });
      const seen = [...new Set(slices.items.flatMap((s) => (s.ports ?? []).map((p) => p.name ?? "")))].sort();
      return { satisfied: wanted.every((p) => seen.includes(p)), value: seen };
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
}

/**
 * One batch through the ClusterIP. When the backends name themselves (the demo image answers HTTP with its pod
 * name), every request must be answered by one of `ready`; otherwise every TCP connection must be accepted.
 */
async function answeredByReadyPods(
  client: PodClient,
  address: string,
  ready: readonly string[],
): Promise<{ satisfied: boolean; value: unknown }> {
  const { probe: http } = await client.send({ url: `http://${address}/`, count: 5, timeoutMs: 1000, concurrency: 1 });
  // Through the demo frontend, the answer names the backend pod behind it too: the Service's own pod is the frontend.
  const answeredBy = (r: (typeof http.results)[number]) => r.frontendPod || r.pod;
  if (http.results.some((r) => r.ok && answeredBy(r) !== "")) {
    const answers = http.results.map((r) => (r.ok ? answeredBy(r) : r.errorKind));
    return { satisfied: http.results.every((r) => r.ok && ready.includes(answeredBy(r))), value: answers };
  }
  const { probe: tcp } = await client.send({ url: `tcp://${address}`, count: 5, timeoutMs: 1000, concurrency: 1 });
  return {
    satisfied: tcp.results.every((r) => r.ok),
    value: tcp.results.map((r) => (r.ok ? "connected" : r.errorKind)),
  };
}
