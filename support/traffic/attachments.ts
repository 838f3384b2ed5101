import type { ScenarioContext, ScenarioReport } from "../scenario/context.ts";
import { rememberTraffic, type TrafficResult } from "./client.ts";
import { formatDistribution } from "./statistics.ts";

/** Attaches the per-pod distribution of each client's requests to the report. */
export async function attachTraffic(scenario: ScenarioReport, results: readonly TrafficResult[]): Promise<void> {
  const text = results.map((r) => `${r.client} → ${r.url}\n${formatDistribution(r.summary)}`).join("\n\n");
  await scenario.attachText("traffic-distribution.txt", text);
}

/** Keeps `results` as the scenario's last traffic (what later `Then` steps judge) and attaches their distribution. */
export async function reportTraffic(scenario: ScenarioContext, results: TrafficResult[]): Promise<void> {
  await attachTraffic(scenario, rememberTraffic(scenario, results));
}
