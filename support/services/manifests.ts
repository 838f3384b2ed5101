import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { EndpointWatcher } from "../endpoints/watcher.ts";
import { UserError } from "../errors/user-error.ts";
import { parseManifests, type SourcedObject } from "../kube/manifests.ts";
import type { WatchRegistry } from "./exposure.ts";

/**
 * Applies QA-provided YAML (one or more documents) into the scenario's namespace; Services get watched too.
 * `source` is "file" or "file:line" where line is the text's first line (a docstring's), so errors point at it.
 */
export async function applyManifestText(registry: WatchRegistry, text: string, source: string): Promise<void> {
  const match = /^(.*):(\d+)$/.exec(source);
  const [file, firstLine] = match ? [match[1]!, Number(match[2])] : [source, 1];
  for (const item of parseManifests(text, file, firstLine)) await applyOne(registry, item);
}

export async function applyManifestFile(registry: WatchRegistry, path: string): Promise<void> {
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
  await applyManifestText(registry, text, path);
}

async function applyOne(registry: WatchRegistry, item: SourcedObject): Promise<void> {
  const { object } = item;
  try {
    await registry.scenario.namespace.apply(object);
  } catch (error) {
    const body = (error as { body?: unknown }).body;
    const message =
      typeof body === "string" ? safeMessage(body) : error instanceof Error ? error.message : String(error);
    throw new UserError(
      `${item.source}:${item.line}: the API server rejected ${object.kind} "${object.metadata?.name}" (${object.apiVersion}): ${message}`,
      "fix the manifest; `kubectl explain` shows the expected fields.",
    );
  }
  if (object.kind === "Service" && object.apiVersion === "v1") {
    registry.watchers.set(
      object.metadata!.name!,
      await EndpointWatcher.start(registry.scenario, object.metadata!.name!),
    );
  }
}

function safeMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    return body;
  }
}
