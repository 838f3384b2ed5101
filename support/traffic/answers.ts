import { UserError } from "../errors/user-error.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { rememberValue } from "../scenario/remembered-values.ts";
import type { TrafficResult } from "./client.ts";

/**
 * Remembers the pod that answered the newest answered request of the last traffic (all clients: the one started
 * last) as `name`, e.g. the pod a ClientIP-sticky client is pinned to. Traffic that no pod answered is refused.
 */
export function rememberAnsweringPod(
  scenario: ScenarioContext,
  traffic: readonly TrafficResult[],
  name: string,
): string {
  const answered = traffic.flatMap((result) => result.probe.results).filter((r) => r.ok && r.pod !== "");
  const newest = answered.reduce<(typeof answered)[number] | undefined>(
    (latest, r) => (latest === undefined || r.startUnixMs >= latest.startUnixMs ? r : latest),
    undefined,
  );
  if (!newest) {
    throw new UserError(
      `${scenario.source}: ${traffic.length === 0 ? "no request was sent yet in this scenario" : "no request of the last traffic was answered by a pod"}, so there is no answering pod to remember as "${name}"`,
      'send requests first, e.g. When a client pod sends 10 requests to "http://web".',
    );
  }
  rememberValue(
    scenario,
    name,
    newest.pod,
    `the pod that answered the last request (${newest.podIP || "?"} on ${newest.node || "?"})`,
  );
  return newest.pod;
}
