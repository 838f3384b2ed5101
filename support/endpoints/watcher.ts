import type { V1EndpointSlice } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";
import { type EndpointAddress, flattenSlices } from "../kube/endpoints.ts";
import { ObjectStream } from "../kube/informer.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";

/** One change of a Service's endpoints, stamped when the watch event arrived. */
export interface EndpointChange {
  readonly atUnixMs: number;
  readonly endpoints: readonly EndpointAddress[];
  /** The slices as the watch delivered them, for conditions on their ports, addressType, hints and labels. */
  readonly slices: readonly V1EndpointSlice[];
}

/** A condition on a Service's endpoints, flattened (one entry per address) and as the slices that hold them. */
export type EndpointsCondition = (endpoints: readonly EndpointAddress[], slices: readonly V1EndpointSlice[]) => boolean;

/**
 * Watches the EndpointSlices of one Service and keeps a timeline of their changes, so waits can tell exactly when
 * a condition first held (the event time), not when a poll happened to notice it. The watch is an informer: it
 * reconnects after the API client's idle timeout and re-lists when its resource version expires, so a Service whose
 * endpoints stay quiet for minutes (a long chaos scenario) is still followed.
 */
export class EndpointWatcher {
  readonly service: string;
  readonly timeline: EndpointChange[] = [];
  #stream: ObjectStream<V1EndpointSlice> | undefined;

  private constructor(service: string) {
    this.service = service;
  }

  static async start(context: ScenarioContext, service: string): Promise<EndpointWatcher> {
    const watcher = new EndpointWatcher(service);
    const labelSelector = `kubernetes.io/service-name=${service}`;
    watcher.#stream = await ObjectStream.start(
      context.kube,
      `/apis/discovery.k8s.io/v1/namespaces/${context.name}/endpointslices`,
      () => context.kube.discovery.listNamespacedEndpointSlice({ namespace: context.name, labelSelector }),
      labelSelector,
      (slices) => watcher.#record(slices),
    );
    return watcher;
  }

  async stop(): Promise<void> {
    await this.#stream?.stop();
  }

  /** How often the watch was re-opened (idle timeouts, expired resource versions, errors). */
  get reconnects(): number {
    return this.#stream?.reconnects ?? 0;
  }

  get current(): readonly EndpointAddress[] {
    return this.timeline.at(-1)?.endpoints ?? [];
  }

  #record(slices: readonly V1EndpointSlice[]): void {
    this.timeline.push({ atUnixMs: Date.now(), endpoints: flattenSlices(slices), slices: [...slices] });
  }

  /**
   * Waits until `condition` holds for the current endpoints; returns the change that first satisfied it.
   * The timeout error names the condition and shows the last endpoints seen (or what `seen` says of the last change).
   */
  async waitFor(
    description: string,
    condition: EndpointsCondition,
    timeoutMs: number,
    seen: (change: EndpointChange | undefined) => string = (change) => describeEndpoints(change?.endpoints ?? []),
  ): Promise<EndpointChange> {
    const { value } = await eventually(
      description,
      async () => {
        const satisfying = firstSatisfying(this.timeline, condition);
        return { satisfied: satisfying !== undefined, value: satisfying ?? seen(this.timeline.at(-1)) };
      },
      { timeoutMs, intervalMs: 50 },
    );
    return value as EndpointChange;
  }

  /** The timeline as text, relative to `sinceUnixMs`, for report attachments. */
  formatTimeline(sinceUnixMs: number): string {
    return this.timeline
      .map(
        (change) =>
          `${formatOffset(change.atUnixMs - sinceUnixMs).padStart(9)}  ${describeEndpoints(change.endpoints)}`,
      )
      .join("\n");
  }
}

/**
 * The EndpointSlice watch of each Service the scenario made, by Service name, for timing endpoint changes; every
 * watch is stopped at cleanup.
 */
export const endpointWatchersSlot = defineSlot(
  "EndpointSlice watches",
  () => new Map<string, EndpointWatcher>(),
  async (watchers) => {
    await Promise.all([...watchers.values()].map((watcher) => watcher.stop()));
  },
);

/**
 * Starts watching the EndpointSlices of a Service the scenario made, and keeps the watch for the scenario's later
 * steps; a Service made again under the same name gets a new watch (the old one is stopped: it followed an object
 * that is gone).
 */
export async function watchEndpoints(scenario: ScenarioContext, service: string): Promise<EndpointWatcher> {
  const watcher = await EndpointWatcher.start(scenario, service);
  const watchers = scenario.slot(endpointWatchersSlot);
  const earlier = watchers.get(service);
  watchers.set(service, watcher);
  await earlier?.stop();
  return watcher;
}

/** The watch of a Service this scenario made; a clear error for any other name. */
export function endpointWatcher(scenario: ScenarioContext, service: string): EndpointWatcher {
  const watcher = scenario.peek(endpointWatchersSlot)?.get(service);
  if (!watcher) {
    throw serviceNotMade(service, watchedServices(scenario));
  }
  return watcher;
}

/** The error for a Service name the scenario did not make, listing those it made (`known`). */
export function serviceNotMade(service: string, known: readonly string[]): UserError {
  return new UserError(
    `the Service "${service}" was not made by this scenario, so kubequake does not watch its endpoints (Services of this scenario: ${known.join(", ") || "none yet"})`,
    known.length > 0
      ? "use one of the names above, or create the Service first in this scenario."
      : `create it first, e.g. Given the demo backend runs 2 replicas behind the ClusterIP Service "${service}".`,
  );
}

/** Names of the Services this scenario watches (the Services it made). */
export function watchedServices(scenario: ScenarioContext): string[] {
  return [...(scenario.peek(endpointWatchersSlot)?.keys() ?? [])];
}

/**
 * The change from which `condition` has held without interruption up to now, or undefined when it does not hold
 * now: that change's time is when the cluster reached the state, however late a poll notices it.
 */
export function firstSatisfying(
  timeline: readonly EndpointChange[],
  condition: EndpointsCondition,
): EndpointChange | undefined {
  const last = timeline.at(-1);
  if (!last || !condition(last.endpoints, last.slices)) return undefined;
  const breaking = timeline.findLastIndex((change) => !condition(change.endpoints, change.slices));
  return timeline[breaking + 1];
}

/** Endpoints in one line; a long list is summarized (counts, then the first few), so a message stays readable. */
export function describeEndpoints(endpoints: readonly EndpointAddress[], limit = 12): string {
  if (endpoints.length === 0) return "no endpoints";
  const state = (e: EndpointAddress) => (e.ready ? "ready" : e.terminating ? "terminating" : "not ready");
  const listed = endpoints.slice(0, limit).map((e) => `${e.pod || e.ip}(${state(e)})`);
  if (endpoints.length <= limit) return listed.join(", ");
  const counts = new Map<string, number>();
  for (const e of endpoints) counts.set(state(e), (counts.get(state(e)) ?? 0) + 1);
  const summary = [...counts].map(([s, n]) => `${n} ${s}`).join(", ");
  return `${endpoints.length} endpoints (${summary}); first ${limit}: ${listed.join(", ")}, …`;
}

function formatOffset(ms: number): string {
  return `${ms >= 0 ? "+" : "-"}${(Math.abs(ms) / 1000).toFixed(3)}s`;
}
