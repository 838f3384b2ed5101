// Which apiVersions serve each built-in Kubernetes kind, from the API discovery of the pinned Kubernetes version
// (built-in-kinds.json, written by scripts/built-in-kinds.ts), for lint's manifest checks without a cluster.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const builtInKindsPath = fileURLToPath(new URL("../../tooling/lint/built-in-kinds.json", import.meta.url));

interface BuiltInKinds {
  /** The Kubernetes version whose discovery this is. */
  kubernetes: string;
  kinds: Record<string, { apiVersions: string[]; namespaced: boolean }>;
}

let table: BuiltInKinds | undefined;

/** The discovery table (read once). */
export function builtInKinds(): BuiltInKinds {
  table ??= JSON.parse(readFileSync(builtInKindsPath, "utf8")) as BuiltInKinds;
  return table;
}

/**
 * Why `apiVersion` does not serve the built-in `kind` (with the versions that do), or undefined when it does or the
 * kind is not built in (a custom resource is the cluster's business; the API server answers for it at run time).
 */
export function apiVersionProblem(apiVersion: string, kind: string): { message: string; expected: string } | undefined {
  const { kubernetes, kinds } = builtInKinds();
  const served = kinds[kind]?.apiVersions;
  if (!served || served.includes(apiVersion)) return undefined;
  // A kind of a group Kubernetes does not serve is a custom resource that happens to share the name: not ours to judge.
  const groupOf = (version: string) => (version.includes("/") ? version.split("/")[0] : "");
  const builtInGroups = new Set(Object.values(kinds).flatMap((k) => k.apiVersions.map(groupOf)));
  if (!builtInGroups.has(groupOf(apiVersion))) return undefined;
  return {
    message: `Kubernetes ${kubernetes} serves no ${kind} in ${apiVersion}`,
    expected: `apiVersion ${served.join(" or ")} for a ${kind}`,
  };
}
