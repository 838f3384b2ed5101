import { type KubernetesObject, Watch } from "@kubernetes/client-node";
import { UserError } from "../errors/user-error.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";
import { eventually } from "../wait/eventually.ts";
import { checkField, describeCondition, type FieldCondition } from "./fields.ts";
import { objectPath, objectRef } from "./kinds.ts";
import { listLabelled } from "./lookups.ts";

/** The event types of a Kubernetes watch that a step can name. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

/** "added" → ADDED: the step's word for an event type. */
export function parseWatchEvent(word: string): WatchEventType {
  return word.toUpperCase() as WatchEventType;
}

interface Recording {
  readonly what: string;
  readonly events: { type: string; object: KubernetesObject }[];
  ended?: string;
}

/**
 * The scenario's watch (one at a time: a new one replaces the recording the steps read) and every watch it started,
 * all aborted at cleanup.
 */
const watchSlot = defineSlot(
  "watch of labelled objects",
  () => ({ recording: undefined as Recording | undefined, controllers: [] as AbortController[] }),
  async ({ controllers }) => {
    for (const controller of controllers) controller.abort();
  },
);

/**
 * Starts a watch on the objects of a kind carrying the labels in the scenario's namespace, from the resource version
 * of a list taken now (as upstream's API tests do), and records every event until the scenario ends. Resolves once
 * the API server accepted the watch, so every later change is seen.
 */
export async function startWatch(
  scenario: ScenarioContext,
  target: { kind: string; labels: Record<string, string> },
): Promise<void> {
  const { kind, selector, list } = await listLabelled(scenario, target);
  const recording: Recording = { what: `${kind} labelled ${selector} in ${scenario.name}`, events: [] };
  const path = objectPath(objectRef(target.kind, "x", scenario.name)).replace(/\/x$/, "");
  const controller = await new Watch(scenario.kube.config).watch(
    path,
    { labelSelector: selector, resourceVersion: list.metadata?.resourceVersion },
    (type: string, object: KubernetesObject) => {
      recording.events.push({ type, object });
    },
    (error: unknown) => {
      recording.ended = error ? String((error as Error).message ?? error) : "the API server closed it";
    },
  );
  const watch = scenario.slot(watchSlot);
  watch.recording = recording;
  watch.controllers.push(controller);
  scenario.note(`watching ${recording.what} from resource version ${list.metadata?.resourceVersion}`);
}

/**
 * Waits until the scenario's watch has delivered an event of the type for the named object, and (with a condition)
 * one whose object meets it, e.g. MODIFIED with `metadata.annotations.updated` equal to "true".
 */
export async function expectWatchEvent(
  scenario: ScenarioContext,
  target: { kind: string; name: string; type: WatchEventType; condition?: FieldCondition; seconds: number },
): Promise<void> {
  const recording = scenario.peek(watchSlot)?.recording;
  if (!recording) {
    throw new UserError(
      `no watch was started in this scenario, so no ${target.type} event of "${target.name}" can have been seen`,
      'start one first, e.g. "When a watch on every EndpointSlice labelled "app=x" starts".',
    );
  }
  const condition = target.condition ? ` with ${describeCondition(target.condition)}` : "";
  await eventually(
    `the watch on ${recording.what} delivered ${target.type} of ${target.kind} "${target.name}"${condition}`,
    async () => {
      const matching = recording.events.filter(
        (e) =>
          e.type === target.type &&
          e.object.kind === target.kind &&
          e.object.metadata?.name === target.name &&
          (!target.condition || checkField(e.object, target.condition).satisfied),
      );
      const seen = recording.events.map((e) => {
        const value = target.condition ? ` (${checkField(e.object, target.condition).seen})` : "";
        return `${e.type} ${e.object.kind} ${e.object.metadata?.name}${value}`;
      });
      const ended = recording.ended ? `; the watch ended: ${recording.ended}` : "";
      return { satisfied: matching.length > 0, value: `${seen.join(", ") || "no event"}${ended}` };
    },
    { timeoutMs: Math.max(target.seconds * 1000, 1), intervalMs: 100 },
  );
}
