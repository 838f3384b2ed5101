import type { KubernetesObject } from "@kubernetes/client-node";
import { request } from "undici";
import { parse } from "yaml";
import { UserError } from "../errors/user-error.ts";
import type { Kube } from "../kube/client.ts";
import { nodeNamesOnThisCluster } from "../nodes/names.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { describeRef, objectPath, objectRef } from "./kinds.ts";

/**
 * Merges `change` into `object` as a JSON merge patch (RFC 7386) does: maps merge key by key, null removes a key,
 * anything else (lists too) replaces. Returns a new object; neither input is changed.
 */
export function mergeInto(object: unknown, change: unknown): unknown {
  if (!isMap(change)) return change;
  const merged: Record<string, unknown> = isMap(object) ? { ...object } : {};
  for (const [key, value] of Object.entries(change)) {
    if (value === null) delete merged[key];
    else merged[key] = mergeInto(merged[key], value);
  }
  return merged;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Which part of an object a write goes to: the object itself, or its /status subresource (status only). */
export type Part = "object" | "status";

/**
 * Updates an object of the scenario the way `kubectl replace` and client-go's Update/UpdateStatus do (an HTTP PUT of
 * the whole object, carrying the resourceVersion it was read at), not a patch: reads it (through /status for the
 * status), merges the YAML into it, writes it back. Through /status the API server keeps only the status (and
 * metadata) changes, so a field check afterwards shows that the status subresource took the write.
 */
export async function replaceObject(
  scenario: ScenarioContext,
  target: { kind: string; name: string; part: Part },
  yamlText: string,
  source: string,
): Promise<void> {
  const ref = objectRef(target.kind, target.name, scenario.name);
  const change = parseChange(yamlText, source, describeRef(ref));
  const path = objectPath(ref) + (target.part === "status" ? "/status" : "");
  const current = await call(scenario.kube, "GET", path);
  const updated = mergeInto(current, change) as KubernetesObject;
  await call(scenario.kube, "PUT", path, updated);
  scenario.note(`updated (PUT ${path})`);
}

/**
 * Changes the status of an object of the scenario with a JSON merge patch to its /status subresource (as a
 * controller reports a load balancer's address); metadata in the patch (annotations) is applied too.
 */
export async function patchStatus(
  scenario: ScenarioContext,
  target: { kind: string; name: string },
  yamlText: string,
  source: string,
): Promise<void> {
  const ref = objectRef(target.kind, target.name, scenario.name);
  const change = parseChange(yamlText, source, describeRef(ref));
  const path = `${objectPath(ref)}/status`;
  await call(scenario.kube, "PATCH", path, change);
  scenario.note(`patched (merge patch) ${path}`);
}

function parseChange(yamlText: string, source: string, what: string): Record<string, unknown> {
  let change: unknown;
  try {
    change = parse(nodeNamesOnThisCluster(yamlText));
  } catch (error) {
    throw new UserError(
      `${source}: the change is not valid YAML: ${(error as Error).message.split("\n")[0]}`,
      "fix the YAML.",
    );
  }
  if (!isMap(change)) {
    throw new UserError(
      `${source}: the change to ${what} must be a YAML map of the fields to change, saw ${JSON.stringify(change)}`,
      'write the fields as they sit in the object, e.g.\n  metadata:\n    annotations: { updated: "true" }',
    );
  }
  return change;
}

/** One call to the API server; an answer other than 2xx throws with the method, path and the server's words. */
async function call(kube: Kube, method: "GET" | "PUT" | "PATCH", path: string, body?: unknown): Promise<unknown> {
  const contentType = method === "PATCH" ? "application/merge-patch+json" : "application/json";
  const response = await request(`${kube.server}${path}`, {
    method,
    dispatcher: kube.agent,
    headers: {
      ...kube.headers,
      accept: "application/json",
      ...(body === undefined ? {} : { "content-type": contentType }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) {
    const reason = (() => {
      try {
        return (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        return text;
      }
    })();
    throw new Error(
      `${method} ${path} answered ${response.statusCode}: ${reason.slice(0, 300)}. ` +
        (response.statusCode === 404 ? "Was the object deleted earlier in the scenario?" : "Check the fields written."),
    );
  }
  return JSON.parse(text) as unknown;
}
