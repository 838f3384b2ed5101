import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { ScenarioRef } from "./scenarios.ts";

/**
 * Recorded scenario durations, `{ "features/x.feature:12": { "name": "…", "seconds": 12.3 } }`, kept between runs
 * (CI caches the file) so `--shard` can balance by time. A scenario whose line moved is found again by its name.
 */
export type Durations = Record<string, { name: string; seconds: number }>;

export function readDurations(file: string): Durations {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Durations;
  } catch {
    // A damaged file only costs balance: shards fall back to equal counts.
    return {};
  }
}

/** Adds the durations of `scenarios` that ran (newest wins) and writes the file atomically. */
export function recordDurations(file: string, scenarios: readonly ScenarioRef[]): number {
  const durations = readDurations(file);
  let recorded = 0;
  for (const s of scenarios) {
    if (s.seconds === undefined) continue;
    durations[s.key] = { name: s.name, seconds: Math.round(s.seconds * 1000) / 1000 };
    recorded++;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(durations, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return recorded;
}

/** A scenario's recorded seconds: by `uri:line`, else by the same name in the same file; undefined if never run. */
export function durationOf(durations: Durations, scenario: ScenarioRef): number | undefined {
  const exact = durations[scenario.key];
  if (exact) return exact.seconds;
  const moved = Object.entries(durations).find(
    ([key, d]) => d.name === scenario.name && key.slice(0, key.lastIndexOf(":")) === scenario.uri,
  );
  return moved?.[1].seconds;
}
