import type { KubernetesObject } from "@kubernetes/client-node";
import { LineCounter, parseAllDocuments } from "yaml";
import { UserError } from "../errors/user-error.ts";

/** A manifest document with where it came from, so errors can name the file and line. */
export interface SourcedObject {
  readonly object: KubernetesObject;
  readonly source: string;
  readonly line: number;
}

/**
 * Parses one or more YAML documents into Kubernetes objects, rejecting anything that is not an object with
 * apiVersion, kind and metadata.name. `source` names the file (or "feature.feature:12 docstring") in errors.
 */
export function parseManifests(text: string, source: string, firstLine = 1): SourcedObject[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter });
  const objects: SourcedObject[] = [];
  for (const document of documents) {
    // The object's own first line: a document's range starts at its `---` marker (or a leading comment).
    const line = firstLine - 1 + lineCounter.linePos(document.contents?.range[0] ?? document.range[0]).line;
    if (document.errors.length > 0) {
      const first = document.errors[0]!;
      const errorLine = firstLine - 1 + (first.linePos?.[0]?.line ?? line);
      throw new UserError(
        `${source}:${errorLine}: the manifest is not valid YAML: ${first.message.split("\n")[0]}`,
        "fix the YAML (indentation, quoting) at that line.",
      );
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    objects.push({ object: validateObject(value, `${source}:${line}`), source, line });
  }
  if (objects.length === 0) {
    throw new UserError(
      `${source}: expected at least one Kubernetes object, saw none`,
      "add a manifest with apiVersion, kind and metadata.name.",
    );
  }
  return objects;
}

function validateObject(value: unknown, where: string): KubernetesObject {
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new UserError(
      `${where}: expected a Kubernetes object (a YAML mapping), saw ${Array.isArray(value) ? "a list" : typeof value}`,
      "give each document apiVersion, kind and metadata.",
    );
  }
  const object = value as KubernetesObject;
  const missing = [
    typeof object.apiVersion === "string" ? undefined : "apiVersion",
    typeof object.kind === "string" ? undefined : "kind",
    typeof object.metadata?.name === "string" && object.metadata.name !== "" ? undefined : "metadata.name",
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new UserError(
      `${where}: ${object.kind ?? "object"} is missing ${missing.join(", ")}; saw keys ${Object.keys(object).join(", ") || "(none)"}`,
      "every manifest needs apiVersion, kind and metadata.name (the namespace is set by kubequake).",
    );
  }
  return object;
}

/**
 * Kinds that live outside any namespace, the one list kubequake keeps of them: a scenario may not create them, because
 * deleting its namespace (on a failure, on Ctrl-C, by the next run's sweep) would not remove them, and they would
 * outlive the run; the field steps read them (a Node, a Namespace) without a namespace.
 */
export const clusterScopedKinds: ReadonlySet<string> = new Set([
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
export function checkScope(item: SourcedObject, namespace: string): void {
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
