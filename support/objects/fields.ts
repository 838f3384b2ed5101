import type { KubernetesObject } from "@kubernetes/client-node";
import { JSONPath } from "jsonpath-plus";
import { UserError } from "../errors/user-error.ts";
import { apiStatus, type Kube } from "../kube/client.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { rememberValue } from "../scenario/remembered-values.ts";
import { eventually } from "../wait/eventually.ts";
import { describeRef, objectRef } from "./kinds.ts";

/** What a field step expects of one JSONPath of an object. */
export interface FieldCondition {
  /** As written: `spec.clusterIP`, `.spec.ports[0].port`, `{.status.loadBalancer}` or `$.spec.selector.app`. */
  readonly path: string;
  readonly expect: "set" | "not set" | "equal to" | "containing" | "matching" | "between";
  /** The quoted text; for "between": the two bounds, inclusive, as "30000 and 32767". */
  readonly value: string;
}

/**
 * The regexp of a {fieldCondition} in a step: a backquoted JSONPath and what it should be. "between 30000 and 32767"
 * is a whole-number range, bounds included (an allocated NodePort lies in the API server's range).
 */
export const fieldConditionPattern =
  /`([^`]+)` (set|not set|equal to "[^"]*"|containing "[^"]*"|matching "[^"]*"|between -?\d+ and -?\d+)/;

/** Builds a condition from the two groups of {@link fieldConditionPattern}. */
export function parseFieldCondition(path: string, what: string): FieldCondition {
  const match = /^(equal to|containing|matching) "(.*)"$/.exec(what);
  if (match) return { path, expect: match[1] as FieldCondition["expect"], value: match[2]! };
  const range = /^between (-?\d+ and -?\d+)$/.exec(what);
  if (range) return { path, expect: "between", value: range[1]! };
  return { path, expect: what as "set" | "not set", value: "" };
}

/** `spec.clusterIP` → `$.spec.clusterIP`; kubectl's `{.spec.x}` and a leading `$` or `.` are accepted too. */
export function toJsonPath(path: string): string {
  const bare = path.trim().replace(/^\{(.*)\}$/, "$1");
  if (bare.startsWith("$")) return bare;
  return bare.startsWith(".") || bare.startsWith("[") ? `$${bare}` : `$.${bare}`;
}

/** The values at the path: scalars as text, objects and lists as JSON; nulls and empty strings are dropped. */
export function fieldValues(object: unknown, path: string): string[] {
  const found = JSONPath({ path: toJsonPath(path), json: object as object, wrap: true }) as unknown[];
  return found
    .filter((v) => v !== null && v !== undefined && v !== "")
    .map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v)));
}

/** Whether the object meets the condition; also returns what was seen, for messages. */
export function checkField(object: unknown, condition: FieldCondition): { satisfied: boolean; seen: string } {
  const values = fieldValues(object, condition.path);
  const seen = values.length === 0 ? "(not set)" : values.join(", ");
  const { expect, value } = condition;
  const satisfied =
    expect === "set"
      ? values.length > 0
      : expect === "not set"
        ? values.length === 0
        : expect === "equal to"
          ? values.length > 0 && values.join(",") === value
          : expect === "containing"
            ? values.some((v) => v === value || v.includes(value))
            : expect === "between"
              ? values.length > 0 && values.every((v) => inRange(v, value))
              : values.some((v) => new RegExp(value).test(v));
  return { satisfied, seen };
}

/** Whether the text is a whole number within "low and high", both included. */
function inRange(text: string, bounds: string): boolean {
  const [low, high] = bounds.split(" and ").map(Number);
  return /^-?\d+$/.test(text) && Number(text) >= low! && Number(text) <= high!;
}

export function describeCondition(condition: FieldCondition): string {
  const set = condition.expect === "set" || condition.expect === "not set";
  const value = set ? "" : condition.expect === "between" ? ` ${condition.value}` : ` "${condition.value}"`;
  return `\`${condition.path}\` ${condition.expect}${value}`;
}

/** Reads an object (any namespace: reading never changes anything); undefined when it does not exist. */
export async function readObject(kube: Kube, ref: KubernetesObject): Promise<KubernetesObject | undefined> {
  try {
    return await kube.objects.read(ref as KubernetesObject & { metadata: { name: string } });
  } catch (error) {
    if (apiStatus(error) === 404) return undefined;
    throw error;
  }
}

/**
 * Waits until the field of the object meets the condition (seconds = 0: checks once). The object may be in the
 * scenario's namespace or, read-only, anywhere else (the `kubernetes` Service in default, kube-system's pods).
 */
export async function waitForField(
  kube: Kube,
  target: { kind: string; name: string; namespace: string },
  condition: FieldCondition,
  seconds: number,
): Promise<void> {
  const ref = objectRef(target.kind, target.name, target.namespace);
  const description = `${describeRef(ref)} has ${describeCondition(condition)}`;
  await eventually(
    description,
    async () => {
      const object = await readObject(kube, ref);
      if (!object) return { satisfied: false, value: `${describeRef(ref)} does not exist` };
      const { satisfied, seen } = checkField(object, condition);
      return { satisfied, value: seen };
    },
    { timeoutMs: Math.max(seconds * 1000, 1), intervalMs: 250 },
  );
}

/** Waits until the object no longer exists (deleted by the scenario or by a controller). */
export async function waitForAbsence(
  kube: Kube,
  target: { kind: string; name: string; namespace: string },
  seconds: number,
): Promise<void> {
  const ref = objectRef(target.kind, target.name, target.namespace);
  await eventually(
    `${describeRef(ref)} does not exist`,
    async () => {
      const object = await readObject(kube, ref);
      return { satisfied: object === undefined, value: object ? "it still exists" : "gone" };
    },
    { timeoutMs: Math.max(seconds * 1000, 1), intervalMs: 250 },
  );
}

/**
 * Remembers the one value at a field of an object as `name` (see support/scenario/remembered-values.ts): a Service's
 * `spec.clusterIP`, a pod's `spec.nodeName` or `status.podIP`, a NodePort. The object may be anywhere (reading
 * changes nothing); a field that is not set, or holds several values, is the feature's mistake.
 */
export async function rememberField(
  scenario: ScenarioContext,
  target: { kind: string; name: string; namespace: string },
  path: string,
  name: string,
): Promise<string> {
  const ref = objectRef(target.kind, target.name, target.namespace);
  const object = await readObject(scenario.kube, ref);
  const what = `\`${path}\` of ${describeRef(ref)}`;
  if (!object) {
    throw new UserError(
      `${scenario.source}: cannot remember ${what}: ${describeRef(ref)} does not exist`,
      "create it in an earlier step, or name an object the scenario has (the kind and name as in its manifest).",
    );
  }
  const values = fieldValues(object, path);
  if (values.length !== 1) {
    throw new UserError(
      `${scenario.source}: cannot remember ${what}: it has ${values.length === 0 ? "no value" : `${values.length} values (${values.join(", ")})`}`,
      values.length === 0
        ? `wait until it is set first (Then within 10 seconds the ${target.kind} "${target.name}" has \`${path}\` set), or check the path.`
        : "point the path at one value, e.g. with an index: `spec.ports[0].nodePort`.",
    );
  }
  rememberValue(scenario, name, values[0]!, what);
  return values[0]!;
}
