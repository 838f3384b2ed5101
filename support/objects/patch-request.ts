import type { KubernetesObject } from "@kubernetes/client-node";
import { request } from "undici";
import type { Kube } from "../kube/client.ts";
import { objectPath } from "./kinds.ts";

/** The PATCH content types kubequake sends (see https://kubernetes.io/docs/reference/using-api/api-concepts/#patch-and-apply). */
export type PatchKind = "apply" | "strategic";

const contentTypes: Record<PatchKind, string> = {
  apply: "application/apply-patch+yaml",
  strategic: "application/strategic-merge-patch+json",
};

/**
 * PATCHes an object with the body as written. client-node's generic patch runs the body through its typed
 * serializer, which drops what its models do not know: strategic-merge directives ($patch: delete, $patch: replace)
 * and unknown fields (which the API server should reject, not kubequake silently lose). So the JSON goes out as is,
 * with strict field validation. A refusal throws an error carrying the status (`code`) and the API's body, as
 * client-node's errors do, so ApiRejection reads it the same way.
 */
export async function sendPatch(
  kube: Kube,
  target: KubernetesObject,
  body: unknown,
  kind: PatchKind,
): Promise<KubernetesObject> {
  const query = new URLSearchParams({ fieldManager: "kubequake", fieldValidation: "Strict" });
  if (kind === "apply") query.set("force", "true");
  const response = await request(`${kube.server}${objectPath(target)}?${query}`, {
    method: "PATCH",
    dispatcher: kube.agent,
    headers: { ...kube.headers, "content-type": contentTypes[kind], accept: "application/json" },
    body: JSON.stringify(body),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) {
    throw Object.assign(new Error(`PATCH ${objectPath(target)} answered ${response.statusCode}`), {
      code: response.statusCode,
      body: text,
    });
  }
  return JSON.parse(text) as KubernetesObject;
}
