import { describeAfterAction, type ScenarioContext } from "../scenario/context.ts";
import { type EndpointChange, type EndpointsCondition, endpointWatcher } from "./watcher.ts";

/**
 * Waits until the watched endpoints of `service` satisfy `condition`, then attaches the EndpointSlice timeline and
 * how long after the scenario's last action the change arrived (negative when it was seen before the action's stamp).
 * Seconds in, milliseconds measured.
 */
export async function waitForEndpoints(
  scenario: ScenarioContext,
  service: string,
  seconds: number,
  expectation: string,
  condition: EndpointsCondition,
  seen?: (change: EndpointChange | undefined) => string,
): Promise<number | undefined> {
  const watcher = endpointWatcher(scenario, service);
  const action = scenario.lastAction;
  const since = action?.atUnixMs ?? watcher.timeline[0]?.atUnixMs ?? Date.now();
  try {
    const change = await watcher.waitFor(`Service ${service} has ${expectation}`, condition, seconds * 1000, seen);
    // Not clamped: a change seen before the action's stamp is reported as a negative time (see describeAfterAction).
    const afterMs = action ? change.atUnixMs - action.atUnixMs : undefined;
    const headline =
      action && afterMs !== undefined
        ? `Service ${service} had ${expectation} ${describeAfterAction(afterMs, action.description)}`
        : `Service ${service} had ${expectation}`;
    scenario.note(headline);
    await scenario.attachText(
      `endpoints-${service}.txt`,
      `${headline}\n\nEndpointSlice timeline (relative to the action):\n${watcher.formatTimeline(since)}`,
    );
    return afterMs;
  } catch (error) {
    await scenario.attachText(
      `endpoints-${service}.txt`,
      `EndpointSlice timeline (relative to the action):\n${watcher.formatTimeline(since)}`,
    );
    throw error;
  }
}
