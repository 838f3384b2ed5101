import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { KubernetesObject } from "@kubernetes/client-node";
import { watchedServices } from "../endpoints/watcher.ts";
import { UserError } from "../errors/user-error.ts";
import { checkScope, parseManifests, type SourcedObject } from "../kube/manifests.ts";
import { ApiRejection } from "../kube/namespace.ts";
import { nodeNamesOnThisCluster } from "../nodes/names.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";
import { registerBackendsOf } from "../services/backend.ts";
import { waitUntilInService } from "../services/in-service.ts";
import { watchService } from "../services/service.ts";
import { sendPatch } from "./patch-request.ts";
import { isWorkload, waitForWorkload } from "./rollout.ts";

/** The field manager of every server-side apply kubequake makes (shown in managedFields). */
export const fieldManager = "kubequake";

/** Objects the scenario has applied, so a re-apply (an update) is not tracked for deletion twice. */
const appliedSlot = defineSlot("applied objects", () => new Set<string>());

/** Whether to wait for the manifest's Services to be in service before the step ends. */
export interface ApplyOptions {
  readonly waitForServices: boolean;
}

/**
 * Applies QA-provided YAML (one or more documents) into the scenario's namespace with server-side apply: a new object
 * is created, an existing one updated to what the manifest says (re-applying a Service with another selector changes
 * the selector). New objects are removed with the scenario. With `waitForServices`, every Service of the manifest is
 * then waited for until it is in service (see {@link waitUntilInService}).
 * `source` is "file" or "file:line" where line is the text's first line (a docstring's), so errors point at it.
 */
export async function applyManifest(
  scenario: ScenarioContext,
  text: string,
  source: string,
  options: ApplyOptions,
): Promise<void> {
  // A kind node name (nodeName: kubequake-worker) means that node of the run's own cluster, whichever variant it is.
  const items = parseSourced(await expandPodIPs(scenario, nodeNamesOnThisCluster(text), source), source);
  for (const item of items) await applyOne(scenario, item);
  if (!options.waitForServices) return;
  // A Service is in service with the pods it will have: wait for the manifest's own workloads to be ready first.
  for (const item of items.filter((i) => isWorkload(i.object))) await waitForWorkload(scenario, item.object);
  for (const item of items.filter(isService)) await waitUntilInService(scenario, item.object.metadata!.name!);
}

/** As {@link applyManifest}, from a YAML file (a path relative to the project root). */
export async function applyManifestFile(scenario: ScenarioContext, path: string, options: ApplyOptions): Promise<void> {
  await applyManifest(scenario, readManifestFile(path), path, options);
}

/**
 * Applies a manifest that the API server must refuse, and checks its message contains `expected`. If the server
 * accepts it instead, the step fails (and the accepted object is removed with the scenario like any other).
 */
export async function expectManifestRejected(
  scenario: ScenarioContext,
  text: string,
  source: string,
  expected: string,
): Promise<void> {
  const rejections: string[] = [];
  for (const item of parseSourced(text, source)) {
    try {
      await applyRaw(scenario, item);
    } catch (error) {
      if (!(error instanceof ApiRejection)) throw error;
      rejections.push(error.apiMessage);
    }
  }
  if (rejections.length === 0) {
    throw new Error(
      `expected the API server to reject the manifest at ${source} with "${expected}", but it accepted it`,
    );
  }
  if (!rejections.some((message) => message.includes(expected))) {
    throw new Error(
      `expected the API server to reject the manifest at ${source} with a message containing "${expected}", but it said: ${rejections.join(" | ")}`,
    );
  }
}

/**
 * Replaces `{podIP:<pod>}` in a manifest by the IP of that pod of the scenario, so hand-made EndpointSlices or
 * Endpoints can point at a real pod (made by an earlier step, which waited for it). A pod that does not exist or has
 * no IP yet is the feature's mistake.
 */
export async function expandPodIPs(scenario: ScenarioContext, text: string, source: string): Promise<string> {
  let expanded = text;
  for (const name of new Set([...text.matchAll(/\{podIP:([^}]+)\}/g)].map((m) => m[1]!))) {
    const pod = await scenario.kube.core.readNamespacedPod({ name, namespace: scenario.name }).catch(() => undefined);
    const ip = pod?.status?.podIP;
    if (!ip) {
      throw new UserError(
        `${source}: {podIP:${name}}: ${pod ? `the pod ${name} has no IP yet` : `this scenario has no pod ${name}`}`,
        "create the pod in an earlier step (e.g. its own Given the manifest:, which waits until it is ready) and name it here by metadata.name.",
      );
    }
    expanded = expanded.replaceAll(`{podIP:${name}}`, ip);
  }
  return expanded;
}

/** Reads a manifest file, naming the path on failure. */
export function readManifestFile(path: string): string {
  const absolute = resolve(path);
  try {
    return readFileSync(absolute, "utf8");
  } catch (error) {
    throw new UserError(
      `cannot read manifest ${path} (${absolute}): ${(error as NodeJS.ErrnoException).code ?? error}`,
      "give a path relative to the project root, e.g. features/manifests/web.yaml.",
    );
  }
}

function parseSourced(text: string, source: string): SourcedObject[] {
  const match = /^(.*):(\d+)$/.exec(source);
  const [file, firstLine] = match ? [match[1]!, Number(match[2])] : [source, 1];
  return parseManifests(text, file, firstLine);
}

function isService(item: SourcedObject): boolean {
  return item.object.kind === "Service" && item.object.apiVersion === "v1";
}

async function applyOne(scenario: ScenarioContext, item: SourcedObject): Promise<void> {
  try {
    await applyRaw(scenario, item);
  } catch (error) {
    if (!(error instanceof ApiRejection)) throw error;
    throw new UserError(`${item.source}:${item.line}: ${error.message.split("\n")[0]}`, error.fix, { cause: error });
  }
}

/** Server-side apply of one object; an API refusal is thrown as an {@link ApiRejection}. */
async function applyRaw(scenario: ScenarioContext, item: SourcedObject): Promise<void> {
  const { object } = item;
  checkScope(item, scenario.name);
  const body = { ...object, metadata: { ...object.metadata, namespace: scenario.name } } as KubernetesObject;
  try {
    await sendPatch(scenario.kube, body, body, "apply");
  } catch (error) {
    throw new ApiRejection(object, scenario.name, error);
  }
  const name = object.metadata!.name!;
  // Stamped as soon as the API accepted the object, before tracking it or waiting for anything.
  scenario.recordAction("applied", `applied ${object.kind} ${name} from ${item.source}:${item.line}`, [], name);
  trackOnce(scenario, body);
  if (isService(item) && !watchedServices(scenario).includes(name)) await watchService(scenario, name);
  registerBackendsOf(scenario, object);
}

/** Records an applied object for removal with the scenario, once however often it is re-applied. */
function trackOnce(scenario: ScenarioContext, object: KubernetesObject): void {
  const key = `${object.apiVersion}/${object.kind}/${object.metadata?.name}`;
  const keys = scenario.slot(appliedSlot);
  if (keys.has(key)) return;
  keys.add(key);
  const ref = { apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata };
  scenario.namespace.tracker.track(`${object.kind} ${scenario.name}/${object.metadata?.name}`, () =>
    scenario.kube.objects.delete(ref, undefined, undefined, 0, undefined, "Background"),
  );
}
