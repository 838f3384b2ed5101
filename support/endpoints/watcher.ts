import { type V1EndpointSlice, Watch } from "@kubernetes/client-node";
import { type EndpointAddress, flattenSlices } from "../kube/endpoints.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";

/** One change of a Service's endpoints, stamped when the watch event arrived. */
export interface EndpointChange {
  readonly atUnixMs: number;
  readonly endpoints: readonly EndpointAddress[];
}

/**
 * Watches the EndpointSlices of one Service and keeps a timeline of their changes, so waits can tell exactly when
 * a condition first held (the event time), not when a poll happened to notice it.
 */
export class EndpointWatcher {
  readonly service: string;
  readonly timeline: EndpointChange[] = [];
  readonly #slices = new Map<string, V1EndpointSlice>();
  #stop: (() => void) | undefined;
  #failure: unknown;

  private constructor(service: string) {
    this.service = service;
  }

  static async start(context: ScenarioContext, service: string): Promise<EndpointWatcher> {
    const watcher = new EndpointWatcher(service);
    const initial = await context.kube.discovery.listNamespacedEndpointSlice({
      namespace: context.name,
      labelSelector: `kubernetes.io/service-name=${service}`,
    });
    for (const slice of initial.items) watcher.#slices.set(slice.metadata!.name!, slice);
    watcher.#record();
    const controller = await new Watch(context.kube.config).watch(
      `/apis/discovery.k8s.io/v1/namespaces/${context.name}/endpointslices`,
      { labelSelector: `kubernetes.io/service-name=${service}`, resourceVersion: initial.metadata?.resourceVersion },
      (phase: string, slice: V1EndpointSlice) => {
        if (phase === "DELETED") watcher.#slices.delete(slice.metadata!.name!);
        else if (phase === "ADDED" || phase === "MODIFIED") watcher.#slices.set(slice.metadata!.name!, slice);
        else return;
        watcher.#record();
      },
      (error: unknown) => {
        if (error && !watcher.#stopped) watcher.#failure = error;
      },
    );
    watcher.#stop = () => controller.abort();
    context.onCleanup.push(async () => watcher.stop());
    return watcher;
  }

  #stopped = false;

  stop(): void {
    this.#stopped = true;
    this.#stop?.();
  }

  get current(): readonly EndpointAddress[] {
    return this.timeline.at(-1)?.endpoints ?? [];
  }

  #record(): void {
    this.timeline.push({ atUnixMs: Date.now(), endpoints: flattenSlices([...this.#slices.values()]) });
  }

  /**
   * Waits until `condition` holds for the current endpoints; returns the change that first satisfied it.
   * The timeout error names the condition and shows the last endpoints seen.
   */
  async waitFor(
    description: string,
    condition: (endpoints: readonly EndpointAddress[]) => boolean,
    timeoutMs: number,
  ): Promise<EndpointChange> {
    const { value } = await eventually(
      description,
      async () => {
        if (this.#failure) throw this.#failure;
        const change = this.timeline.findLast((c) => !condition(c.endpoints));
        const index = change ? this.timeline.indexOf(change) + 1 : 0;
        const satisfying = this.timeline[index];
        return {
          satisfied: condition(this.current) && satisfying !== undefined,
          value: satisfying && condition(this.current) ? satisfying : describeEndpoints(this.current),
        };
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

export function describeEndpoints(endpoints: readonly EndpointAddress[]): string {
  if (endpoints.length === 0) return "no endpoints";
  return endpoints
    .map((e) => `${e.pod || e.ip}(${e.ready ? "ready" : e.terminating ? "terminating" : "not ready"})`)
    .join(", ");
}

function formatOffset(ms: number): string {
  return `${ms >= 0 ? "+" : "-"}${(Math.abs(ms) / 1000).toFixed(3)}s`;
}
