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
