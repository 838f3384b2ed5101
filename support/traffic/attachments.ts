import { describeAfterAction, type ScenarioContext, type ScenarioReport } from "../scenario/context.ts";
import { rememberTraffic, type TrafficResult } from "./client.ts";
import type { Convergence } from "./convergence.ts";
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

export async function attachConvergence(scenario: ScenarioReport, convergence: Convergence): Promise<void> {
  const timing =
    convergence.afterActionMs === undefined || convergence.action === undefined
      ? "no earlier action in this scenario"
      : `traffic matched ${describeAfterAction(convergence.afterActionMs, convergence.action.description)}`;
  await scenario.attachText(
    "traffic-convergence.txt",
    // The URL as sent: placeholders ({nodePort:web}…) resolved, so the report shows which address was checked.
    `${convergence.result.client} → ${convergence.result.url}\n${timing} (${convergence.batches} batch(es) sent)\n\n${formatDistribution(convergence.result.summary)}`,
  );
}
