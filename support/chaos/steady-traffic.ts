import type { Client } from "../clients/client.ts";
import { podProberApi } from "../clients/prober-api.ts";
import { clientPodNames } from "../clients/registry.ts";
import { EndpointWatcher, endpointWatchersSlot } from "../endpoints/watcher.ts";
import { UserError } from "../errors/user-error.ts";
import { listPods } from "../kube/pods.ts";
import { describeOutsideTarget, type OutsideTarget, resolveOutsideTarget } from "../outside/targets.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";
import { urlHost } from "../services/families.ts";
import { eventually } from "../wait/eventually.ts";
import type { SteadyTrafficRecord } from "./expectations.ts";
import { chaosEvents, noteChaosEvent } from "./faults.ts";
import { BackgroundLoad, expectRateHeld, type LoadResult, splitRate } from "./load.ts";
import { PodDisappearances } from "./pod-faults.ts";
import type { ReadyEndpointsSeries } from "./timeline.ts";
import { renderTimeline, type TimelineArtifacts } from "./timeline-chart.ts";
import type { TrafficSample } from "./verdicts.ts";

/**
 * Steady traffic: open-loop background load that runs while the scenario's next steps break things, and the
 * evidence it leaves (every request, a timeline chart with every chaos event marked). One per scenario.
 */

/** Steady traffic stops by itself after this long, so a scenario that never stops it still ends its load. */
const maxSteadyTrafficMs = 300_000;

/**
 * Where the steady traffic goes: a URL as given, the ClusterIP of a Service (no DNS lookup per request), or an
 * address outside clients use: a Service's load-balancer address, or its NodePort on one node.
 */
export type TrafficTarget =
  | { readonly url: string }
  | { readonly clusterIPOf: string }
  | { readonly outside: OutsideTarget & { readonly kind: "nodePort" | "loadBalancer" } };

/** The scenario's steady traffic, running or finished. */
export interface SteadyTrafficState {
  readonly load: BackgroundLoad;
  readonly url: string;
  readonly gone: PodDisappearances;
  /** The target Service's EndpointSlices over time (ready endpoints on the chart), when the target names a Service. */
  readonly endpoints?: EndpointWatcher;
  /** When the scenario started the traffic: the chart shows what happened from then on, not the set-up before. */
  readonly sinceUnixMs: number;
  result?: LoadResult;
}

/**
 * The scenario's steady traffic (one at a time). At cleanup its load and pod watch are stopped; deleting the
 * namespace would end the load anyway, so a stop that fails must not hide the scenario's result.
 */
const steadyTrafficSlot = defineSlot(
  "steady traffic",
  () => ({ current: undefined as (SteadyTrafficState & { ownWatch?: EndpointWatcher }) | undefined }),
  async ({ current }) => {
    if (!current) return;
    await Promise.allSettled([current.load.stop(), current.gone.stop(), current.ownWatch?.stop()]);
  },
);

/** The scenario's steady traffic, running or stopped; undefined when it started none. */
export function steadyTrafficState(context: ScenarioContext): SteadyTrafficState | undefined {
  return context.peek(steadyTrafficSlot)?.current;
}

/** Whether steady traffic was started and not stopped yet (a failed step may leave it running). */
export function steadyTrafficRunning(context: ScenarioContext): boolean {
  const current = context.peek(steadyTrafficSlot)?.current;
  return current !== undefined && !current.result;
}

/** The URL the load is sent to, and the Service it names (for its endpoints on the chart), if any. */
async function resolveTarget(
  context: ScenarioContext,
  target: TrafficTarget,
): Promise<{ url: string; service?: string }> {
  if ("outside" in target) {
    const [address] = await resolveOutsideTarget(context, target.outside);
    if (!address) throw new Error(`${describeOutsideTarget(target.outside)} stands for no address`);
    return { url: address.url, service: target.outside.service };
  }
  if ("url" in target) {
    // "http://web", "http://web.ns.svc…": the Service of the scenario it names, if the scenario made one.
    const host = URL.canParse(target.url) ? new URL(target.url).hostname.split(".")[0] : undefined;
    const made = [...(context.peek(endpointWatchersSlot)?.keys() ?? [])];
    return { url: target.url, service: host && made.includes(host) ? host : undefined };
  }
  const service = await context.kube.core.readNamespacedService({ name: target.clusterIPOf, namespace: context.name });
  const ip = service.spec?.clusterIP;
  if (!ip || ip === "None") {
    throw new UserError(
      `the Service "${target.clusterIPOf}" has no ClusterIP (${ip ?? "none"}), so traffic cannot be sent to it`,
      'send the traffic to a URL instead, e.g. "http://web", or give the Service a ClusterIP.',
    );
  }
  return { url: `http://${urlHost(ip)}:${service.spec?.ports?.[0]?.port ?? 80}/`, service: target.clusterIPOf };
}

/**
 * Starts `rate` requests per second to the target and returns at once: from `clients` client pods, or from one
 * client of any kind (`from`: a client pod on a node, an outside container, the host), each request a new TCP
 * connection. Pod disappearances are watched from now on, for the killed-pod check, and the target Service's
 * endpoints, for the chart.
 */
export async function startSteadyTraffic(
  context: ScenarioContext,
  target: TrafficTarget,
  options: { rate: number; clients?: number; from?: Client },
): Promise<void> {
  if (steadyTrafficRunning(context)) {
    throw new UserError(
      "steady traffic is already running in this scenario",
      'stop it first ("When the steady traffic stops"); a scenario has one steady traffic at a time.',
    );
  }
  // A rate no client can send is a mistake to report before any pod is created.
  splitRate(options.rate, options.from ? 1 : (options.clients ?? 1));
  const sinceUnixMs = Date.now();
  const { url, service } = await resolveTarget(context, target);
  const slot = context.slot(steadyTrafficSlot);
  const watched = service ? context.peek(endpointWatchersSlot)?.get(service) : undefined;
  const ownWatch = service && !watched ? await EndpointWatcher.start(context, service) : undefined;
  const gone = await PodDisappearances.start(context);
  const clients = options.from
    ? [await options.from.prober()]
    : (await clientPodNames(context, options.clients ?? 1)).map((pod) => podProberApi(context.kube, context.name, pod));
  const load = await BackgroundLoad.start(
    clients,
    { url, rate: options.rate, durationMs: maxSteadyTrafficMs },
    { note: (line) => context.note(line) },
  );
  // A stopped steady traffic's pod watch is no longer read (the disappearances are the running traffic's).
  await Promise.all([slot.current?.gone.stop(), slot.current?.ownWatch?.stop()]);
  slot.current = { load, url, gone, sinceUnixMs, endpoints: watched ?? ownWatch, ownWatch };
  noteChaosEvent(
    context,
    `steady traffic: ${options.rate} req/s to ${url} from ${clients.map((c) => c.name).join(", ")}`,
  );
}

/** The finished traffic's timeline chart, samples and summary, for the report. */
export interface SteadyTrafficEvidence {
  readonly result: LoadResult;
  readonly artifacts: TimelineArtifacts;
}

/**
 * Stops the steady traffic (requests in flight finish) and renders its timeline with every chaos event. Fails when
 * the requested rate was not held: the figures would then be skewed, and a check on them could pass falsely.
 */
export async function stopSteadyTraffic(
  context: ScenarioContext,
  scenarioName: string,
): Promise<SteadyTrafficEvidence> {
  const traffic = requireTraffic(context);
  traffic.result ??= await traffic.load.stop();
  noteChaosEvent(context, "steady traffic stopped");
  const artifacts = renderTimeline({
    scenario: scenarioName,
    samples: traffic.result.samples,
    events: chaosEvents(context).filter((e) => e.atUnixMs >= traffic.sinceUnixMs),
    requestedRatePerSecond: traffic.result.requestedRate,
    ...(traffic.endpoints
      ? { readyEndpoints: readyEndpointsSince(traffic.endpoints, traffic.sinceUnixMs, Date.now()) }
      : {}),
  });
  return { result: traffic.result, artifacts };
}

/**
 * The number of ready endpoints of the watched Service at each change from `sinceUnixMs` to `untilUnixMs`, starting
 * with what it had at `sinceUnixMs` (the last change before it).
 */
export function readyEndpointsSince(
  watcher: Pick<EndpointWatcher, "service" | "timeline">,
  sinceUnixMs: number,
  untilUnixMs: number,
): ReadyEndpointsSeries {
  const ready = (change: EndpointWatcher["timeline"][number]) => change.endpoints.filter((e) => e.ready).length;
  const before = watcher.timeline.filter((c) => c.atUnixMs < sinceUnixMs).at(-1);
  const points = watcher.timeline
    .filter((c) => c.atUnixMs >= sinceUnixMs && c.atUnixMs <= untilUnixMs)
    .map((c) => ({ atUnixMs: c.atUnixMs, ready: ready(c) }));
  return {
    service: watcher.service,
    points: before ? [{ atUnixMs: sinceUnixMs, ready: ready(before) }, ...points] : points,
  };
}

/**
 * Checks the rate was held; a separate step so the evidence is attached before the check can fail. Fails when the
 * traffic has not been stopped (no result to judge) or recorded no request (see {@link buildLoadResult}).
 */
export function expectSteadyRateHeld(context: ScenarioContext): void {
  const result = requireTraffic(context).result;
  if (!result) {
    throw new Error(
      "expected the steady traffic's result to be checked after it stopped, but it has none yet (stopSteadyTraffic sets it): a defect in kubequake",
    );
  }
  expectRateHeld(result);
}

/** What the (stopped) steady traffic saw, for the `Then` checks. */
export function steadyTrafficRecord(context: ScenarioContext): SteadyTrafficRecord {
  const traffic = requireTraffic(context);
  if (!traffic.result) {
    throw new UserError(
      "the steady traffic is still running, so its requests cannot be judged yet",
      'add "When the steady traffic stops" before the checks on it.',
    );
  }
  return {
    url: traffic.url,
    samples: traffic.result.samples,
    startedAtUnixMs: traffic.result.startedAtUnixMs,
    events: chaosEvents(context),
  };
}

/** When each pod the scenario saw disappeared (the killed-pod check compares answers with these). */
export function podDisappearances(context: ScenarioContext): ReadonlyMap<string, number> {
  return requireTraffic(context).gone.goneAtUnixMs;
}

function requireTraffic(context: ScenarioContext): SteadyTrafficState {
  const current = context.peek(steadyTrafficSlot)?.current;
  if (!current) {
    throw new UserError(
      "no steady traffic was started in this scenario",
      'start it before the chaos, e.g. Given steady traffic of 50 requests per second to "http://web".',
    );
  }
  return current;
}

/**
 * For the harness's must-fail fixtures only: records a ready pod of `backend` as killed and gone now, without
 * touching it, as a harness whose kill silently failed would. The killed-pod check must then catch its answers.
 */
export async function injectGhostPod(context: ScenarioContext, backend: string): Promise<string> {
  const traffic = requireTraffic(context);
  const [pod] = (await listPods(context.kube, context.name, { app: backend })).filter((p) => p.ready);
  if (!pod) throw new Error(`no ready pod of ${backend} to record as gone`);
  context.recordAction("killed", `${pod.name} recorded as killed (not really: a fixture's injected defect)`, [
    pod.name,
  ]);
  traffic.gone.goneAtUnixMs.set(pod.name, Date.now());
  return pod.name;
}

/**
 * Waits until the running steady traffic has recovered: every request of `cleanSeconds` whole seconds after the last
 * fault or undo succeeded (one second could be luck after a fault that comes and goes). The stretch judged ends one
 * request timeout before the newest request, so that the requests in it have all ended (a request to a dead pod fails
 * only at its timeout, after later ones have already succeeded). Returns the recovery time in milliseconds: from the
 * last fault or undo (stamped when its change returned) to the start of the clean stretch.
 */
export async function waitForSteadyTrafficRecovery(
  context: ScenarioContext,
  seconds: number,
  cleanSeconds = 1,
): Promise<number> {
  const traffic = requireTraffic(context);
  if (traffic.result) {
    throw new UserError(
      "the steady traffic has already stopped, so it cannot recover any more",
      'check recovery before "When the steady traffic stops".',
    );
  }
  if (!(Number.isInteger(cleanSeconds) && cleanSeconds >= 1)) {
    throw new UserError(
      `cannot judge recovery on ${cleanSeconds} consecutive second(s)`,
      "give a whole number of seconds, at least 1.",
    );
  }
  const { rate, timeoutMs = 2000 } = traffic.load.request;
  // The last fault or undo: after an undo, recovery is measured from the undo.
  const lastChaos = chaosEvents(context)
    .filter((e) => e.kind !== "note")
    .at(-1);
  const after = lastChaos?.atUnixMs ?? 0;
  const stretch = cleanSeconds === 1 ? "a whole second" : `${cleanSeconds} consecutive seconds`;
  let verdict: RecoveryVerdict | undefined;
  await eventually(
    `the steady traffic recovers (every request of ${stretch} after the last fault or undo succeeds)`,
    async () => {
      verdict = judgeRecovery(traffic.load.samplesSoFar(), { afterUnixMs: after, timeoutMs, rate, cleanSeconds });
      return { satisfied: verdict.recovered, value: verdict.seen };
    },
    { timeoutMs: seconds * 1000, intervalMs: 500 },
  );
  const recoveryMs = (verdict?.cleanFromUnixMs ?? after) - after;
  context.note(
    `steady traffic recovered (${stretch} clean) ${(recoveryMs / 1000).toFixed(1)} s after “${lastChaos?.label ?? "the start"}”`,
  );
  return recoveryMs;
}

/** Whether the steady traffic has recovered, where its clean stretch began, and what was seen (for the timeout). */
export interface RecoveryVerdict {
  readonly recovered: boolean;
  /** When the clean stretch that ends the judged window began: the first success after the last failure before it. */
  readonly cleanFromUnixMs: number;
  readonly seen: string;
}

/**
 * Judges recovery on the latest `cleanSeconds` of settled requests (see {@link settledStretchAfter}): recovered when
 * every one of them succeeded and there were at least 80% of the requests the rate plans for them (a stalled client
 * that sends nothing has not shown recovery). The clean stretch starts at the first success after the last failure
 * since `afterUnixMs`, among the requests up to the judged window's end.
 */
export function judgeRecovery(
  samples: readonly TrafficSample[],
  options: { afterUnixMs: number; timeoutMs: number; rate: number; cleanSeconds: number },
): RecoveryVerdict {
  const { afterUnixMs, timeoutMs, rate, cleanSeconds } = options;
  const window = settledStretchAfter(samples, afterUnixMs, timeoutMs, cleanSeconds);
  const failed = window.samples.filter((s) => !s.ok).length;
  const needed = Math.max(1, Math.floor(rate * cleanSeconds * 0.8));
  const judged = samples.filter((s) => s.scheduledUnixMs <= window.endUnixMs);
  return {
    recovered: window.samples.length >= needed && failed === 0,
    cleanFromUnixMs: recoveryMoment(judged, afterUnixMs),
    seen:
      window.samples.length === 0
        ? `fewer than ${cleanSeconds} s of settled requests after the last fault or undo yet`
        : `the latest settled ${cleanSeconds} s: ${window.samples.length - failed} of ${window.samples.length} succeeded (at least ${needed} needed)`,
  };
}

/**
 * When service came back after `afterUnixMs`: the scheduled time of the first success after the last failure, or
 * `afterUnixMs` itself when nothing failed after it.
 */
export function recoveryMoment(samples: readonly TrafficSample[], afterUnixMs: number): number {
  const later = samples.filter((s) => s.scheduledUnixMs >= afterUnixMs);
  const lastFailure = later.reduce((max, s) => (s.ok ? max : Math.max(max, s.scheduledUnixMs)), -Infinity);
  if (lastFailure === -Infinity) return afterUnixMs;
  const firstSuccess = later
    .filter((s) => s.ok && s.scheduledUnixMs > lastFailure)
    .reduce((min, s) => Math.min(min, s.scheduledUnixMs), Infinity);
  return Number.isFinite(firstSuccess) ? firstSuccess : lastFailure;
}

/**
 * The latest `seconds` whole seconds of requests that have all had time to end (the stretch ends `timeoutMs` before
 * the newest request's scheduled time) and that start after `afterUnixMs`; empty when there is none yet.
 */
export function settledStretchAfter(
  samples: readonly TrafficSample[],
  afterUnixMs: number,
  timeoutMs: number,
  seconds = 1,
): { startUnixMs: number; endUnixMs: number; samples: TrafficSample[] } {
  const newest = samples.reduce((max, s) => Math.max(max, s.scheduledUnixMs), 0);
  const end = newest - timeoutMs;
  const start = end - seconds * 1000;
  if (start < afterUnixMs) return { startUnixMs: start, endUnixMs: end, samples: [] };
  return {
    startUnixMs: start,
    endUnixMs: end,
    samples: samples.filter((s) => s.scheduledUnixMs > start && s.scheduledUnixMs <= end),
  };
}

/**
 * Lets the running steady traffic run for `seconds` more (a fault's effect is measured over a stated time, not
 * slept through): waits until requests scheduled that far ahead have been received.
 */
export async function keepSteadyTrafficRunning(context: ScenarioContext, seconds: number): Promise<void> {
  const traffic = requireTraffic(context);
  if (traffic.result) {
    throw new UserError("the steady traffic has already stopped", 'let it run before "When the steady traffic stops".');
  }
  const until = Date.now() + seconds * 1000;
  await eventually(
    `the steady traffic runs for ${seconds} more second(s)`,
    async () => {
      const newest = traffic.load.samplesSoFar().reduce((max, s) => Math.max(max, s.scheduledUnixMs), 0);
      return {
        satisfied: newest >= until,
        value: `newest request scheduled ${((until - newest) / 1000).toFixed(1)} s short`,
      };
    },
    { timeoutMs: seconds * 1000 + 30_000, intervalMs: 250 },
  );
}
