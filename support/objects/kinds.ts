import type { KubernetesObject } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";
import { clusterScopedKinds } from "../kube/manifests.ts";

/** The apiVersion of each kind a step may name by kind alone ("the Service "web""). */
const apiVersions: Record<string, string> = {
  Service: "v1",
  Pod: "v1",
  ConfigMap: "v1",
  Secret: "v1",
  Endpoints: "v1",
  ServiceAccount: "v1",
  Namespace: "v1",
  Node: "v1",
  Deployment: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  ReplicaSet: "apps/v1",
  EndpointSlice: "discovery.k8s.io/v1",
  NetworkPolicy: "networking.k8s.io/v1",
  Ingress: "networking.k8s.io/v1",
  Job: "batch/v1",
};

/** The API's plural resource name of a kind (lowercase + "s" unless listed): the last part of its REST path. */
const plurals: Record<string, string> = {
  Endpoints: "endpoints",
  Ingress: "ingresses",
  NetworkPolicy: "networkpolicies",
};

/**
 * The REST path of an object (or, with `collection`, of its kind in its namespace), e.g.
 * /api/v1/namespaces/ns/services/web or /apis/apps/v1/namespaces/ns/deployments/web.
 */
export function objectPath(object: KubernetesObject): string {
  const { apiVersion = "v1", kind = "", metadata } = object;
  const group = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const plural = plurals[kind] ?? `${kind.toLowerCase()}s`;
  const namespace = metadata?.namespace ? `/namespaces/${metadata.namespace}` : "";
  return `${group}${namespace}/${plural}/${metadata?.name}`;
}

/** A reference to one object: kind, name and (for namespaced kinds) namespace, with its apiVersion filled in. */
export function objectRef(kind: string, name: string, namespace: string): KubernetesObject {
  const apiVersion = apiVersions[kind];
  if (!apiVersion) {
    throw new UserError(
      `the kind "${kind}" is not one kubequake knows by name (known: ${Object.keys(apiVersions).join(", ")})`,
      "spell the kind as Kubernetes does (Service, Deployment, EndpointSlice…), or ask for the kind to be added to support/objects/kinds.ts.",
    );
  }
  return {
    apiVersion,
    kind,
    metadata: clusterScopedKinds.has(kind) ? { name } : { name, namespace },
  };
}

/** "Service default/kubernetes" or "Node kubequake-worker": how messages name an object. */
export function describeRef(ref: KubernetesObject): string {
  const { namespace, name } = ref.metadata ?? {};
  return `${ref.kind} ${namespace ? `${namespace}/` : ""}${name}`;
}
