import { hostname } from "node:os";
import { apiStatus, type Kube } from "../kube/client.ts";
import { runOwnerPid } from "../kube/namespace.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";
import { EventuallyTimeoutError, eventually } from "../wait/eventually.ts";

/**
 * One breaker at a time: node and cluster faults first take a lock held in the cluster itself, a
 * coordination.k8s.io/v1 Lease, so two runs (two CI jobs, two people, two machines) never break one cluster at once.
 * The holder renews it while it holds it; a lock not renewed within its duration (its holder crashed) is stale and
 * is taken over. A second run waits for it (bounded, saying so as it waits) and then fails naming who holds it.
 */
export const chaosLeaseName = "kubequake-chaos";
export const chaosLeaseNamespace = "kube-system";
/** Long enough to outlast a renewal missed while the API server is down for a short fault. */
const leaseDurationSeconds = 60;
const renewEveryMs = 10_000;
const scenarioAnnotation = "kubequake.dev/scenario";

/** What a Lease says about its holder (the spec fields kubequake reads and writes, and its scenario). */
export interface LeaseView {
  readonly holderIdentity?: string;
  readonly acquireTime?: string | Date;
  readonly renewTime?: string | Date;
  readonly leaseDurationSeconds?: number;
  readonly scenario?: string;
}

/** Who may break the cluster now, from the lease and who is asking. */
export type LeaseState =
  | { readonly kind: "free" }
  | { readonly kind: "ours" }
  | { readonly kind: "stale"; readonly holder: string; readonly renewed: string }
  | {
      readonly kind: "held";
      readonly holder: string;
      readonly scenario: string;
      readonly since: string;
      readonly renewed: string;
    };

/**
 * The lease's state for `me` at `nowUnixMs`: free (none, or nobody holds it), ours (the same run holds it), stale
 * (its holder did not renew it within its duration: taken over) or held by someone else.
 */
export function leaseState(lease: LeaseView | undefined, me: string, nowUnixMs: number): LeaseState {
  if (!lease?.holderIdentity) return { kind: "free" };
  if (lease.holderIdentity === me) return { kind: "ours" };
  const renewed = lease.renewTime ? new Date(lease.renewTime).getTime() : Number.NaN;
  const renewedText = Number.isFinite(renewed) ? new Date(renewed).toISOString() : "never";
  const durationMs = (lease.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
  if (!Number.isFinite(renewed) || nowUnixMs - renewed > durationMs) {
    return { kind: "stale", holder: lease.holderIdentity, renewed: renewedText };
  }
  const since = lease.acquireTime ? new Date(lease.acquireTime).toISOString() : "unknown";
  return {
    kind: "held",
    holder: lease.holderIdentity,
    scenario: lease.scenario ?? "unknown",
    since,
    renewed: renewedText,
  };
}

/** How a holder names itself: this machine, the run's owner process, the run. */
export function holderIdentityOf(host: string, pid: number, run: string): string {
  return `${host} pid ${pid} run ${run}`;
}

/** Words a held lease for messages: who, which scenario, since when, last renewed. */
export function describeHolder(state: Extract<LeaseState, { kind: "held" }>): string {
  return `${state.holder} (scenario "${state.scenario}") since ${state.since}, last renewed ${state.renewed}`;
}

interface HeldLease {
  readonly timer: NodeJS.Timeout;
  /** The last renewal's failure, reported at release (a renewal may fail while the API server is down on purpose). */
  renewalError?: unknown;
}

/**
 * The scenario's hold on the lease; released by {@link releaseChaosLease} once its faults are undone (the chaos log's
 * "restore" teardown, or "the faults are undone"). Its own teardown, in the later "release" phase, releases a lease a
 * scenario took but never broke anything under (its plan refused bad input).
 */
const leaseSlot = defineSlot(
  "chaos lease",
  () => ({ held: undefined as HeldLease | undefined }),
  (_value, scenario) => releaseChaosLease(scenario),
);

/** How long a run waits for another's lease: KUBEQUAKE_CHAOS_LEASE_WAIT seconds, 5 minutes by default. */
function waitSeconds(): number {
  const seconds = Number(process.env.KUBEQUAKE_CHAOS_LEASE_WAIT ?? 300);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : 300;
}

/** The longest a fault step may wait for the lease, for its step timeout. */
export function chaosLeaseWaitMs(): number {
  return waitSeconds() * 1000;
}

/**
 * Takes the cluster's chaos lease for the scenario (a no-op when it holds it already), waiting while another run
 * holds it, and keeps renewing it until {@link releaseChaosLease}. Fails after the wait naming the holder.
 */
export async function takeChaosLease(scenario: ScenarioContext): Promise<void> {
  const slot = scenario.slot(leaseSlot);
  if (slot.held) return;
  const me = ownIdentity();
  const what = `${scenario.title || "scenario"} (${scenario.name})`;
  const seconds = waitSeconds();
  let lastProgress = Date.now();
  try {
    await eventually(
      `the cluster's chaos lease ${chaosLeaseNamespace}/${chaosLeaseName} is free for ${me}`,
      async () => {
        const state = await tryTake(scenario.kube, me, what);
        if (state.kind === "held" && Date.now() - lastProgress >= 15_000) {
          lastProgress = Date.now();
          console.error(`[kubequake] waiting for the chaos lease: held by ${describeHolder(state)}`);
        }
        return { satisfied: state.kind !== "held", value: state };
      },
      { timeoutMs: seconds * 1000, intervalMs: 2000 },
    );
  } catch (error) {
    if (!(error instanceof EventuallyTimeoutError)) throw error;
    const state = error.lastObserved as LeaseState | undefined;
    const holder = state?.kind === "held" ? describeHolder(state) : "unknown (the lease could not be read)";
    throw new Error(
      `another run is breaking this cluster: its chaos lease ${chaosLeaseNamespace}/${chaosLeaseName} is held by ${holder}; waited ${seconds} s (KUBEQUAKE_CHAOS_LEASE_WAIT). ${error.message}`,
    );
  }
  const held: HeldLease = {
    timer: setInterval(() => {
      renew(scenario.kube, me).then(
        () => {
          held.renewalError = undefined;
        },
        (error: unknown) => {
          held.renewalError = error;
        },
      );
    }, renewEveryMs),
  };
  held.timer.unref();
  slot.held = held;
}

/**
 * Releases the scenario's lease (once its faults are undone): stops renewing it and deletes it, unless someone took
 * it over meanwhile (then it is theirs, and that is reported). Nothing to do when the scenario holds none.
 */
export async function releaseChaosLease(scenario: ScenarioContext): Promise<void> {
  const slot = scenario.peek(leaseSlot);
  const held = slot?.held;
  if (!slot || !held) return;
  clearInterval(held.timer);
  slot.held = undefined;
  const me = ownIdentity();
  const lease = await readLease(scenario.kube);
  if (lease?.view.holderIdentity !== me) {
    throw new Error(
      `the chaos lease ${chaosLeaseNamespace}/${chaosLeaseName} was taken over by ${lease?.view.holderIdentity ?? "nobody (it is gone)"} while this scenario held it${held.renewalError ? ` (its last renewal failed: ${String(held.renewalError)})` : ""}`,
    );
  }
  try {
    // Deleted only as it was read: a takeover between the read and the delete makes it fail (409), not delete theirs.
    await scenario.kube.objects.delete(leaseObject(lease.view), undefined, undefined, undefined, undefined, undefined, {
      preconditions: { resourceVersion: lease.resourceVersion },
    });
  } catch (error) {
    if (apiStatus(error) !== 404) throw error;
  }
}

/**
 * Releases the chaos lease if this run holds it, from any thread (Ctrl-C reaches only the main thread, while the
 * scenario that took the lease may run in a worker): the run's faults are undone by then. Returns whether it did.
 */
export async function releaseChaosLeaseOfRun(kube: Kube): Promise<boolean> {
  const lease = await readLease(kube);
  if (lease?.view.holderIdentity !== ownIdentity()) return false;
  await kube.objects.delete(leaseObject(lease.view), undefined, undefined, undefined, undefined, undefined, {
    preconditions: { resourceVersion: lease.resourceVersion },
  });
  return true;
}

/** This run's identity as a lease holder. */
function ownIdentity(): string {
  return holderIdentityOf(hostname(), runOwnerPid(), process.env.KUBEQUAKE_RUN_ID ?? "unnamed");
}

interface StoredLease {
  readonly view: LeaseView;
  readonly resourceVersion: string;
}

async function readLease(kube: Kube): Promise<StoredLease | undefined> {
  try {
    const lease = (await kube.objects.read({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: chaosLeaseName, namespace: chaosLeaseNamespace },
    })) as {
      metadata?: { resourceVersion?: string; annotations?: Record<string, string> };
      spec?: LeaseView;
    };
    return {
      view: { ...lease.spec, scenario: lease.metadata?.annotations?.[scenarioAnnotation] },
      resourceVersion: lease.metadata?.resourceVersion ?? "",
    };
  } catch (error) {
    if (apiStatus(error) === 404) return undefined;
    throw error;
  }
}

function leaseObject(view: LeaseView, resourceVersion?: string) {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name: chaosLeaseName,
      namespace: chaosLeaseNamespace,
      ...(resourceVersion ? { resourceVersion } : {}),
      annotations: { [scenarioAnnotation]: view.scenario ?? "" },
    },
    spec: {
      holderIdentity: view.holderIdentity,
      leaseDurationSeconds: view.leaseDurationSeconds,
      acquireTime: microTime(view.acquireTime),
      renewTime: microTime(view.renewTime),
    },
  };
}

/**
 * One attempt at taking the lease: created when there is none, replaced (compare-and-swap on its resourceVersion)
 * when it is free, stale or ours; the state seen otherwise. A lost race (409) reads as "held" until the next look.
 */
async function tryTake(kube: Kube, me: string, scenario: string): Promise<LeaseState> {
  const stored = await readLease(kube);
  const now = Date.now();
  const state = leaseState(stored?.view, me, now);
  if (state.kind === "held") return state;
  if (state.kind === "stale") {
    console.error(
      `[kubequake] taking over the stale chaos lease of ${state.holder} (last renewed ${state.renewed}, more than its duration ago)`,
    );
  }
  const stamp = microTime(new Date(now));
  const view: LeaseView = { holderIdentity: me, acquireTime: stamp, renewTime: stamp, leaseDurationSeconds, scenario };
  try {
    if (stored) await kube.objects.replace(leaseObject(view, stored.resourceVersion) as never);
    else await kube.objects.create(leaseObject(view) as never);
    return { kind: "ours" };
  } catch (error) {
    if (apiStatus(error) !== 409) throw error;
    const raced = await readLease(kube);
    return leaseState(raced?.view, me, Date.now());
  }
}

/** A Lease's MicroTime ("2026-12-03T14:20:15.123000Z"), from what the API returned (a string or a Date) or a Date. */
function microTime(value: string | Date | undefined): string | undefined {
  if (value === undefined) return undefined;
  return new Date(value).toISOString().replace(/Z$/, "000Z");
}

/** Renews the lease if it is still ours; a lease someone else holds now is left alone (reported at release). */
async function renew(kube: Kube, me: string): Promise<void> {
  const stored = await readLease(kube);
  if (stored?.view.holderIdentity !== me) return;
  const stamp = microTime(new Date());
  await kube.objects.replace(leaseObject({ ...stored.view, renewTime: stamp }, stored.resourceVersion) as never);
}
