import { UserError } from "../errors/user-error.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { defineFault } from "./declaration.ts";
import { planToxiproxyInPath } from "./latency.ts";

/**
 * Connections to a Service reset by Toxiproxy in its path (latency.ts puts it there): its `reset_peer` toxic, with no
 * delay, answers a share of the new connections with a TCP reset as soon as the client sends its request, which a
 * client sees as "connection reset by peer" (the steady traffic's `reset` kind). The share is Toxiproxy's toxicity:
 * each connection is reset with that probability. Needs the demo image's latency-proxy with TOXICS (images/demo).
 */
export const connectionsReset = defineFault({
  phrase: "{int}% of the connections to the Service {string} are reset",
  doc: "Toxiproxy pods go between the Service and its backends and reset (TCP RST) that share of the new connections as their request arrives; the Service selects its backends again at the end of the scenario.",
  scope: "namespace",
  plan: async (scenario: ScenarioContext, percent: number, service: string) => {
    if (!(Number.isInteger(percent) && percent >= 1 && percent <= 100)) {
      throw new UserError(
        `cannot reset ${percent}% of the connections to the Service "${service}": a share of connections is a whole percentage from 1% to 100%`,
        `give a percentage from 1 to 100, e.g. When 30% of the connections to the Service "${service}" are reset.`,
      );
    }
    const plan = await planToxiproxyInPath(scenario, service, {
      label: `${percent}% of the connections to the Service ${service} reset`,
      suffix: "resets",
      toxics: [
        { name: "reset", type: "reset_peer", stream: "upstream", toxicity: percent / 100, attributes: { timeout: 0 } },
      ],
    });
    return plan;
  },
});
