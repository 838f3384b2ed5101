import { clusterName } from "../cluster/kind.ts";
import { UserError } from "../errors/user-error.ts";
import type { Kube } from "../kube/client.ts";

/**
 * Chaos breaks things on purpose, so it runs only where breaking things is fine: the kubequake kind cluster, or a
 * context listed in KUBEQUAKE_CHAOS_CONTEXTS (comma-separated), which says someone decided that cluster is disposable.
 */
export function assertChaosAllowed(kube: Kube, step: string): void {
  const context = kube.config.getCurrentContext();
  if (!chaosAllowed(context)) {
    throw new UserError(
      `"${step}" is chaos, and the context "${context}" is not a cluster kubequake may break (allowed: ${chaosContexts().join(", ")})`,
      `run it on the kubequake kind cluster, or, if "${context}" is disposable, set KUBEQUAKE_CHAOS_CONTEXTS=${context}.`,
    );
  }
}

/** The contexts chaos may run on: kubequake's kind cluster and those listed in KUBEQUAKE_CHAOS_CONTEXTS. */
export function chaosContexts(): string[] {
  return [`kind-${clusterName}`, ...(process.env.KUBEQUAKE_CHAOS_CONTEXTS ?? "").split(",")]
    .map((c) => c.trim())
    .filter(Boolean);
}

export function chaosAllowed(context: string): boolean {
  return chaosContexts().includes(context);
}

/** Node and component faults act on the whole cluster; they refuse to run where they could break someone else. */
export function assertClusterChaosAllowed(kube: Kube, tags: readonly string[], step: string): void {
  assertChaosAllowed(kube, step);
  if (!tags.includes("@serial")) {
    throw new UserError(
      `"${step}" breaks more than the scenario's namespace, but the scenario is not tagged @serial, so a scenario running in parallel could fail because of it.`,
      "tag the scenario @serial (and @chaos): it then runs alone, and the next one starts only when the cluster is whole again.",
    );
  }
}

/** What a step function needs to check a cluster-wide fault: the scenario's cluster and tags (the World has both). */
interface ScenarioOfStep {
  readonly scenario: { readonly kube: Kube; readonly tags: readonly string[] };
}

/** Marks a step function as a cluster-wide fault (see clusterWideFault); read by isClusterWideFault. */
const clusterWideMark = Symbol.for("kubequake.clusterWideFault");

/**
 * Declares a step as a cluster-wide fault (a node, kube-proxy, CoreDNS, the API server): the returned step function
 * refuses to run unless chaos is allowed on the context and the scenario is tagged @serial
 * (assertClusterChaosAllowed), then runs `step`. The declaration is the only list of such steps: `kubequake lint`
 * reads the mark from cucumber's support code (isClusterWideFault), so lint and run cannot disagree.
 * `what` words the fault for the message, from the step's arguments ("the node is paused").
 */
export function clusterWideFault<W extends ScenarioOfStep, A extends unknown[]>(
  what: string | ((...args: A) => string),
  step: (this: W, ...args: A) => Promise<void>,
): (this: W, ...args: A) => Promise<void> {
  const guarded = async function (this: W, ...args: A): Promise<void> {
    assertClusterChaosAllowed(this.scenario.kube, this.scenario.tags, typeof what === "string" ? what : what(...args));
    await step.apply(this, args);
  };
  // Cucumber checks a step function's arity against its expression's parameters.
  Object.defineProperty(guarded, "length", { value: step.length });
  Object.defineProperty(guarded, clusterWideMark, { value: true });
  return guarded;
}

/** Whether a step function was declared with clusterWideFault. */
export function isClusterWideFault(code: unknown): boolean {
  return typeof code === "function" && (code as unknown as Record<symbol, unknown>)[clusterWideMark] === true;
}
