import { summarizeLoad } from "./load.ts";
import type { SteadyTrafficEvidence } from "./steady-traffic.ts";

interface Attacher {
  attachText(name: string, text: string): Promise<void>;
  attachFile(name: string, data: Buffer | string, mediaType: string): Promise<void>;
}

/** The steady traffic's evidence in the report: the timeline chart first (people look before they read), then data. */
export async function attachTrafficEvidence(host: Attacher, evidence: SteadyTrafficEvidence): Promise<void> {
  const { artifacts, result } = evidence;
  await host.attachFile("traffic-timeline.png", artifacts.png, "image/png");
  await host.attachText("traffic-summary.txt", `${summarizeLoad(result)}\n\n${artifacts.json}`);
  await host.attachFile("traffic-samples.csv", artifacts.csv, "text/csv");
}
