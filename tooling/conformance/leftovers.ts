import { readdirSync, readFileSync } from "node:fs";
import type { V1Namespace } from "@kubernetes/client-node";
import { apiStatus, connectKube } from "../../support/kube/client.ts";

// e2e.test deletes each test's namespace when the test ends; a run that was killed outright (SIGKILL, the machine
// stopped) leaves them, and their pods keep running on kubequake's cluster. Every such namespace carries the label
// e2e-framework. They are removed before the next run, unless an e2e.test is running on this machine right now.

const e2eFrameworkLabel = "e2e-framework";

/** The names of e2e.test's namespaces to remove: not already terminating. */
export function e2eLeftovers(namespaces: readonly V1Namespace[]): string[] {
  return namespaces
    .filter((ns) => ns.metadata?.labels?.[e2eFrameworkLabel] !== undefined && ns.status?.phase !== "Terminating")
    .map((ns) => ns.metadata!.name!);
}

/**
 * Whether an e2e.test process runs on this machine (its namespaces are then in use, not left over). Without a
 * readable /proc it cannot tell, and says yes: leaving a namespace is safer than deleting one in use.
 */
export function e2eTestRunning(procRoot = "/proc"): boolean {
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`${procRoot}/${entry}/comm`, "utf8").trim() === "e2e.test") return true;
    } catch {
      // The process ended while we looked.
    }
  }
  return false;
}

/**
 * Deletes the namespaces that killed e2e.test runs left on the cluster of `kubeconfigPath`; returns their names, or
 * an empty list when an e2e.test is running here (they may be its own).
 */
export async function sweepE2ELeftovers(kubeconfigPath: string): Promise<string[]> {
  if (e2eTestRunning()) return [];
  const kube = await connectKube(kubeconfigPath);
  const list = await kube.core.listNamespace({ labelSelector: e2eFrameworkLabel });
  const leftovers = e2eLeftovers(list.items);
  for (const name of leftovers) {
    await kube.core.deleteNamespace({ name, propagationPolicy: "Background" }).catch((error: unknown) => {
      if (apiStatus(error) !== 404) throw error;
    });
  }
  return leftovers;
}
