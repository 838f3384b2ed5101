import { waitForEndpoints } from "../endpoints/expectations.ts";
import { type EndpointsCondition, endpointWatcher } from "../endpoints/watcher.ts";
import type { ScenarioContext } from "../scenario/context.ts";
import { setSessionAffinity } from "./backends.ts";

/**
 * A Service the scenario made, by name, with the watch of its EndpointSlices. Steps get one from the {service}
 * parameter type, which checks the name before the step acts (a typo lists the Services the scenario made).
 */
export class Service {
  readonly scenario: ScenarioContext;
  readonly name: string;

  private constructor(scenario: ScenarioContext, name: string) {
    this.scenario = scenario;
    this.name = name;
  }

  /** The Service `name` of the scenario; a UserError naming the scenario's Services when it did not make one. */
  static resolve(scenario: ScenarioContext, name: string): Service {
    endpointWatcher(scenario, name);
    return new Service(scenario, name);
  }

  /**
   * Waits until the Service's endpoints satisfy `condition` (a watch, not a poll) and reports how long after the
   * scenario's last action that happened; `expectation` says what was awaited, for the timeout's message.
   */
  waitForEndpoints(seconds: number, expectation: string, condition: EndpointsCondition): Promise<number | undefined> {
    return waitForEndpoints(this.scenario, this.name, seconds, expectation, condition);
  }

  /**
   * Waits until the ready endpoints are exactly `readyPods` (by name), the ready pods of `backend`. Fails at once
   * when there is none: "exactly no pods" would pass on a Service without endpoints, having judged nothing (use
   * "has 0 ready endpoints" for that).
   */
  waitForExactlyPods(seconds: number, readyPods: readonly string[], backend: string): Promise<number | undefined> {
    if (readyPods.length === 0) {
      throw new Error(
        `expected the ready endpoints of ${this.name} to be exactly the ready pods of ${backend}, but ${backend} has no ready pod, so there is nothing to compare; wait for its pods first, and if no endpoint is what you expect, use: Then within 30 seconds the Service "${this.name}" has 0 ready endpoints`,
      );
    }
    const expected = [...readyPods].sort();
    return this.waitForEndpoints(
      seconds,
      `exactly ${expected.join(", ")} as ready endpoints`,
      (e) =>
        e
          .filter((x) => x.ready)
          .map((x) => x.pod)
          .sort()
          .join() === expected.join(),
    );
  }

  switchAffinity(affinity: "ClientIP" | "None", timeoutSeconds?: number): Promise<void> {
    return setSessionAffinity(this.scenario, this.name, affinity, timeoutSeconds);
  }
}
