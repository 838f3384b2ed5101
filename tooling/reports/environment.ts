import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Capabilities } from "../../support/capabilities/needs.ts";

/** The facts a nightly report's reader needs to compare two nights: which cluster, which versions. */
export function reportEnvironment(
  capabilities: Capabilities,
  versions: { kubequake: string; demoImage: string },
): Record<string, string> {
  return {
    cluster: capabilities.ownCluster
      ? `kubequake's kind cluster (context ${capabilities.context})`
      : `existing cluster, context ${capabilities.context}`,
    "Kubernetes version": capabilities.kubernetesVersion,
    CNI: capabilities.cni,
    "kube-proxy mode": capabilities.kubeProxy,
    nodes: `${capabilities.nodes.total} (${capabilities.nodes.ready} Ready, ${capabilities.nodes.schedulable} schedulable)`,
    zones: capabilities.zones.join(", ") || "none labelled",
    "node chaos": capabilities.nodeChaos.available ? "yes" : `no: ${capabilities.nodeChaos.why}`,
    kubequake: versions.kubequake,
    "demo image": versions.demoImage,
  };
}

/** Writes Allure's environment.properties (the report's Environment widget) into a results directory. */
export function writeAllureEnvironment(resultsDir: string, environment: Record<string, string>): void {
  if (!existsSync(resultsDir)) return;
  // Java properties: keys escape spaces, colons and equals signs; values keep theirs.
  const escapeKey = (key: string) => key.replace(/([ :=\\])/g, "\\$1");
  const lines = Object.entries(environment).map(([key, value]) => `${escapeKey(key)}=${value.replace(/\n/g, " ")}`);
  writeFileSync(join(resultsDir, "environment.properties"), `${lines.join("\n")}\n`);
}

/** "0.1.0 (git 4d5ad1a)": package.json's version and the checkout's commit when there is one. */
export function kubequakeVersion(root: string, commit: string | undefined): string {
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  return commit ? `${version} (git ${commit})` : version;
}
