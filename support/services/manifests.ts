import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { EndpointWatcher } from "../endpoints/watcher.ts";
import { UserError } from "../errors/user-error.ts";
import { parseManifests, type SourcedObject } from "../kube/manifests.ts";
import { ApiRejection } from "../kube/namespace.ts";
import type { ScenarioContext } from "../scenario/context.ts";

/**
 * Applies QA-provided YAML (one or more documents) into the scenario's namespace; Services get watched too.
 * `source` is "file" or "file:line" where line is the text's first line (a docstring's), so errors point at it.
 */
export async function applyManifestText(scenario: ScenarioContext, text: string, source: string): Promise<void> {
  const match = /^(.*):(\d+)$/.exec(source);
  const [file, firstLine] = match ? [match[1]!, Number(match[2])] : [source, 1];
  for (const item of parseManifests(text, file, firstLine)) await applyOne(scenario, item);
}

export async function applyManifestFile(scenario: ScenarioContext, path: string): Promise<void> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch (error) {
    throw new UserError(
      `cannot read manifest ${path} (${absolute}): ${(error as NodeJS.ErrnoException).code ?? error}`,
      "give a path relative to the project root, e.g. features/manifests/web.yaml.",
    );
  }
  await applyManifestText(scenario, text, path);
}

/**
 * Kinds that live outside any namespace: a scenario may not create them, because deleting its namespace (on a
 * failure, on Ctrl-C, by the next run's sweep) would not remove them, and they would outlive the run.
 */
const clusterScopedKinds = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "StorageClass",
  "PriorityClass",
  "IngressClass",
  "RuntimeClass",
  "CSIDriver",
  "APIService",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
]);

/** Refuses what a scenario's namespace could not clean up: cluster-scoped kinds and other namespaces. */
function checkScope(item: SourcedObject, namespace: string): void {
  const { object } = item;
  const where = `${item.source}:${item.line}`;
  if (clusterScopedKinds.has(object.kind ?? "")) {
    throw new UserError(
      `${where}: ${object.kind} "${object.metadata?.name}" is cluster-scoped; a scenario creates objects only in its own namespace, which is removed after it (even on Ctrl-C), and a cluster-scoped object would outlive the run`,
      "use a namespaced kind (a Role and RoleBinding instead of ClusterRole and ClusterRoleBinding), or create the object outside kubequake before the run.",
    );
  }
  const asked = object.metadata?.namespace;
  if (asked && asked !== namespace) {
    throw new UserError(
      `${where}: ${object.kind} "${object.metadata?.name}" asks for namespace "${asked}", but a scenario's objects go in its own namespace (${namespace})`,
      "remove metadata.namespace: kubequake puts the object in the scenario's namespace and removes it afterwards.",
    );
  }
}

async function applyOne(scenario: ScenarioContext, item: SourcedObject): Promise<void> {
  const { object } = item;
  checkScope(item, scenario.name);
  try {
    await scenario.namespace.apply(object);
  } catch (error) {
    if (!(error instanceof ApiRejection)) throw error;
    throw new UserError(`${item.source}:${item.line}: ${error.message.split("\n")[0]}`, error.fix, { cause: error });
  }
  if (object.kind === "Service" && object.apiVersion === "v1") {
    scenario.watch(object.metadata!.name!, await EndpointWatcher.start(scenario, object.metadata!.name!));
  }
}
