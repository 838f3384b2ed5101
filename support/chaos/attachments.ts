import type { ScenarioReport } from "../scenario/context.ts";
import { summarizeLoad } from "./load.ts";
import type { SteadyTrafficEvidence } from "./steady-traffic.ts";

/** The steady traffic's evidence in the report: the timeline chart first (people look before they read), then data. */
export async function attachTrafficEvidence(scenario: ScenarioReport, evidence: SteadyTrafficEvidence): Promise<void> {
  const { artifacts, result } = evidence;
  await scenario.attachFile("traffic-timeline.png", artifacts.png, "image/png");
  // The SVG beside it: sharp at any zoom, and its text (labels, figures) can be searched and copied.
  await scenario.attachFile("traffic-timeline.svg", artifacts.svg, "image/svg+xml");
  await scenario.attachText("traffic-summary.txt", `${summarizeLoad(result)}\n\n${artifacts.json}`);
  await scenario.attachFile("traffic-samples.csv", artifacts.csv, "text/csv");
}
