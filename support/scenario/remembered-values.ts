import { UserError } from "../errors/user-error.ts";
import { defineSlot, type ScenarioContext } from "./context.ts";

/**
 * Values a scenario remembers by a name of its own ("old-ip"), so a later step can use what an earlier one saw (a
 * ClusterIP before the Service was recreated, the node a pod ran on, the pod that answered) instead of a value typed
 * in by hand. A step remembers with `… is remembered as "old-ip"`; any later step's text, docstring or parsed
 * argument uses it as `{remembered:old-ip}`.
 */

/** A use of a remembered value in a step; group 1 is the name. */
export const rememberedPlaceholder = /\{remembered:([^}]*)\}/g;

/** The tail of every step that remembers something; group 1 is the name (`kubequake lint` reads it too). */
export const rememberingStep = / is remembered as "([^"]*)"$/;

interface RememberedValue {
  readonly value: string;
  /** What it is, for messages: "`spec.clusterIP` of Service web". */
  readonly what: string;
}

const rememberedValues = defineSlot("remembered values", () => new Map<string, RememberedValue>());

/**
 * Remembers `value` as `name` (a later remember of the same name replaces it, as a variable would). An empty value
 * is refused: a step that used it would address nothing and could pass for the wrong reason.
 */
export function rememberValue(scenario: ScenarioContext, name: string, value: string, what: string): void {
  if (!/^[^\s{}"]+$/.test(name)) {
    throw new UserError(
      `${scenario.source}: "${name}" cannot name a remembered value`,
      'use a name without spaces, braces or quotes, e.g. is remembered as "old-ip".',
    );
  }
  if (value === "") {
    throw new UserError(
      `${scenario.source}: ${what} is empty, so there is nothing to remember as "${name}"`,
      'remember it once it is set: wait for it first (e.g. Then within 10 seconds the Service "web" has `spec.clusterIP` set).',
    );
  }
  scenario.slot(rememberedValues).set(name, { value, what });
  scenario.note(`remembered as "${name}": ${value} (${what})`);
}

/** The value remembered as `name`; a UserError naming the names there are when the scenario remembered none so. */
export function recallValue(scenario: ScenarioContext, name: string): string {
  const values = scenario.peek(rememberedValues);
  const found = values?.get(name);
  if (found) return found.value;
  const known = [...(values?.keys() ?? [])];
  throw new UserError(
    `${scenario.source}: {remembered:${name}}: nothing was remembered as "${name}" in this scenario (remembered: ${known.map((k) => `"${k}"`).join(", ") || "nothing yet"})`,
    known.length > 0
      ? "use one of the names above, or remember the value first in an earlier step of the scenario."
      : 'remember it in an earlier step, e.g. When the field `spec.clusterIP` of the Service "web" is remembered as "old-ip".',
  );
}

/** `text` with every `{remembered:<name>}` replaced by the value remembered as that name (see {@link recallValue}). */
export function expandRemembered(scenario: ScenarioContext, text: string): string {
  return text.replace(rememberedPlaceholder, (_placeholder, name: string) => recallValue(scenario, name));
}

/**
 * A step's argument with remembered values expanded: a text, or the text fields of an argument a parameter type
 * parsed into a plain object or a list of them (a field condition's value, a sender's node). Handles (a Backend, a DataTable) and
 * everything else are returned as they are.
 */
export function expandRememberedIn<T>(scenario: ScenarioContext, argument: T): T {
  if (typeof argument === "string")
    return (argument.includes("{remembered:") ? expandRemembered(scenario, argument) : argument) as T;
  if (Array.isArray(argument)) return argument.map((item) => expandRememberedIn(scenario, item)) as T;
  if (argument === null || typeof argument !== "object" || Object.getPrototypeOf(argument) !== Object.prototype) {
    return argument;
  }
  const fields = Object.entries(argument as Record<string, unknown>);
  if (!fields.some(([, value]) => typeof value === "string" && value.includes("{remembered:"))) return argument;
  return Object.fromEntries(fields.map(([key, value]) => [key, expandRememberedIn(scenario, value)])) as T;
}
