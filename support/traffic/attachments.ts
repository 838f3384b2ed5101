import { describeAfterAction } from "../scenario/context.ts";
import type { TrafficResult } from "./client.ts";
import type { Convergence } from "./convergence.ts";
import { formatDistribution } from "./statistics.ts";

interface Attacher {
  attachText(name: string, text: string): Promise<void>;
}

/** Attaches the per-pod distribution of each client's requests to the report. */
export async function attachTraffic(host: Attacher, results: readonly TrafficResult[]): Promise<void> {
  const text = results.map((r) => `${r.client} → ${r.url}\n${formatDistribution(r.summary)}`).join("\n\n");
  await host.attachText("traffic-distribution.txt", text);
}

export async function attachConvergence(host: Attacher, convergence: Convergence): Promise<void> {
  const timing =
    convergence.afterActionMs === undefined || convergence.action === undefined
      ? "no earlier action in this scenario"
      : `traffic matched ${describeAfterAction(convergence.afterActionMs, convergence.action.description)}`;
  await host.attachText(
    "traffic-convergence.txt",
    `${timing} (${convergence.batches} batch(es) sent)\n\n${formatDistribution(convergence.result.summary)}`,
  );
}
