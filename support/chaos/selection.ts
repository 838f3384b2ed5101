import { UserError } from "../errors/user-error.ts";

/**
 * Which pods a fault takes: the first N by name (reproducible), N chosen at random, or a share
 * of the ready pods chosen at random. A random choice is made from a seed that is printed with the fault, so a run
 * that found something can be repeated with the same choice: the same places among the ready pods sorted by name
 * (the same pods of a StatefulSet, whose names do not change from run to run).
 */
export type PodSelection =
  | { readonly kind: "first"; readonly count: number }
  | { readonly kind: "random"; readonly count: number }
  | { readonly kind: "percent"; readonly percent: number };

/** The {podSelection} phrases: `2 pods`, `1 random pod`, `50% of the pods`. */
export const podSelectionPattern = /(\d+)% of the pods|(\d+) random pods?|(\d+) pods?/;

/** A {podSelection} phrase's groups (from {@link podSelectionPattern}) as a selection. */
export function parsePodSelection(percent?: string, random?: string, first?: string): PodSelection {
  if (percent !== undefined) return { kind: "percent", percent: Number(percent) };
  if (random !== undefined) return { kind: "random", count: Number(random) };
  return { kind: "first", count: Number(first) };
}

/** The environment variable that fixes the seed of random choices, to repeat a run with the same pods. */
export const seedVariable = "KUBEQUAKE_CHAOS_SEED";

/**
 * The seed for a random choice: KUBEQUAKE_CHAOS_SEED when set (a rerun), a fresh one otherwise. The seed is an
 * environment variable rather than part of the phrase because a seed written into the feature picks the same pods in
 * every run, which is a fixed choice with extra words; a fresh seed each run explores, and the printed one repeats.
 */
export function chaosSeed(environment: NodeJS.ProcessEnv = process.env): number {
  const given = environment[seedVariable];
  if (given === undefined || given === "") return Math.floor(Math.random() * 2 ** 32);
  if (!/^\d+$/.test(given) || Number(given) >= 2 ** 32) {
    throw new UserError(
      `${seedVariable}=${given} is not a seed: a seed is a whole number from 0 to 4294967295`,
      `unset ${seedVariable} for a fresh seed, or set it to the seed a run printed ("chosen with seed …") to repeat that run's choice.`,
    );
  }
  return Number(given);
}

/**
 * mulberry32: a 32-bit seeded generator, uniform enough to pick pods and stable across Node versions. Kept here (a
 * few lines) rather than taken from a package: Math.random cannot be seeded, and the small seeded packages on npm are
 * unmaintained or would bind the pods a seed picks to another project's release.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a selection chose: the pods, and the seed when the choice was random. */
export interface ChosenPods {
  readonly pods: string[];
  readonly seed?: number;
  /** For the fault's label: "2 of 3 pods chosen with seed 42" or "the first 1 of 3 pods". */
  readonly description: string;
}

/**
 * Chooses pods from `ready` (any order; sorted first, so a seed picks the same pods whatever order the API listed
 * them in). Refuses a share outside 1–100%, a count below 1 or above the ready pods, and a backend with no ready pod,
 * naming what it saw; `action` ("SIGSTOP") and `backend` go into the message.
 */
export function choosePods(
  selection: PodSelection,
  ready: readonly string[],
  seed: number,
  action: string,
  backend: string,
): ChosenPods {
  const sorted = [...ready].sort();
  if (
    selection.kind === "percent" &&
    !(Number.isInteger(selection.percent) && selection.percent >= 1 && selection.percent <= 100)
  ) {
    throw new UserError(
      `cannot ${action} ${selection.percent}% of the pods of "${backend}": a share of pods is a whole percentage from 1% to 100%`,
      `give a percentage from 1 to 100, e.g. When 50% of the pods of "${backend}" are SIGSTOPped.`,
    );
  }
  if (sorted.length === 0) {
    throw new UserError(
      `cannot ${action} ${describeSelection(selection)} of "${backend}": it has no ready pod`,
      `wait until pods of "${backend}" are ready first, e.g. Then within 30 seconds the Service "${backend}" has 2 ready endpoints.`,
    );
  }
  // A share is rounded up: 50% of 3 pods is 2, and any share of at least one pod takes one.
  const count = selection.kind === "percent" ? Math.ceil((selection.percent * sorted.length) / 100) : selection.count;
  if (!Number.isInteger(count) || count < 1 || count > sorted.length) {
    throw new UserError(
      `cannot ${action} ${describeSelection(selection)} of "${backend}": ${count < 1 ? "the count must be at least 1 (with 0 nothing would happen, and the checks after it would have nothing to judge)" : `it has only ${sorted.length} ready pod(s) (${sorted.join(", ")})`}`,
      `${action} from 1 to ${sorted.length} pod(s), or wait until more pods of "${backend}" are ready.`,
    );
  }
  if (selection.kind === "first") {
    return { pods: sorted.slice(0, count), description: `the first ${count} of ${sorted.length} ready pods by name` };
  }
  const random = seededRandom(seed);
  // A partial Fisher–Yates shuffle: the first `count` places get a uniform choice without repeats.
  for (let i = 0; i < count; i += 1) {
    const j = i + Math.floor(random() * (sorted.length - i));
    [sorted[i], sorted[j]] = [sorted[j]!, sorted[i]!];
  }
  return {
    pods: sorted.slice(0, count).sort(),
    seed,
    description: `${count} of ${sorted.length} ready pods chosen with seed ${seed}; ${seedVariable}=${seed} repeats the choice`,
  };
}

function describeSelection(selection: PodSelection): string {
  if (selection.kind === "percent") return `${selection.percent}% of the pods`;
  return `${selection.count}${selection.kind === "random" ? " random" : ""} pod(s)`;
}
