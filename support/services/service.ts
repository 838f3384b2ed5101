import { waitForEndpoints } from "../endpoints/expectations.ts";
import { type EndpointsCondition, serviceNotMade, watchEndpoints } from "../endpoints/watcher.ts";
import { defineSlot, type ScenarioContext } from "../scenario/context.ts";
import type { Backend } from "./backend.ts";

/**
 * A Service the scenario made, with the watch of its EndpointSlices. The call that makes it (see {@link watchService})
 * registers it; the {service} parameter type finds it there, without asking the API server, so a typo lists the
 * Services the scenario made before the step acts.
 */
export class Service {
  readonly scenario: ScenarioContext;
  readonly name: string;

  constructor(scenario: ScenarioContext, name: string) {
    this.scenario = scenario;
    this.name = name;
  }

  /** The Service `name` the scenario made, from its registry (no API call); a UserError naming its Services otherwise. */
  static resolve(scenario: ScenarioContext, name: string): Service {
    const service = scenario.slot(servicesSlot).get(name);
    if (service) return service;
    throw serviceNotMade(name, serviceNames(scenario));
  }

  /**
   * Waits until the Service's endpoints satisfy `condition` (a watch, not a poll) and reports how long after the
   * scenario's last action that happened; `expectation` says what was awaited, for the timeout's message.
   */
  waitForEndpoints(seconds: number, expectation: string, condition: EndpointsCondition): Promise<number | undefined> {
    return waitForEndpoints(this.scenario, this.name, seconds, expectation, condition);
  }

  /**
   * Waits until the ready endpoints are exactly the ready pods of `backend` (by name, read now). Fails at once when
   * there is none: "exactly no pods" would pass on a Service without endpoints, having judged nothing (use "has 0
   * ready endpoints" for that).
   */
  async waitForExactlyPods(seconds: number, backend: Backend): Promise<number | undefined> {
    return this.waitForExactly(seconds, await backend.readyPodNames(), backend.name);
  }

  /** As {@link waitForExactlyPods}, with the ready pods given (`readyPods` of the backend `backend`). */
  waitForExactly(seconds: number, readyPods: readonly string[], backend: string): Promise<number | undefined> {
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

  /** Switches the Service's session affinity (with an optional ClientIP timeout in seconds). */
  async switchAffinity(affinity: "ClientIP" | "None", timeoutSeconds?: number): Promise<void> {
    const { kube, name: namespace } = this.scenario;
    // A patch, not read-modify-replace: a LoadBalancer Service is written by its controller too (MetalLB), and a
    // replace based on an older read is refused with 409 Conflict.
    const current = await kube.core.readNamespacedService({ name: this.name, namespace });
    const config =
      affinity === "ClientIP"
        ? [
            {
              op: "add",
              path: "/spec/sessionAffinityConfig",
              value: { clientIP: { timeoutSeconds: timeoutSeconds ?? 10800 } },
            },
          ]
        : current.spec?.sessionAffinityConfig
          ? [{ op: "remove", path: "/spec/sessionAffinityConfig" }]
          : [];
    await kube.core.patchNamespacedService({
      name: this.name,
      namespace,
      body: [{ op: "add", path: "/spec/sessionAffinity", value: affinity }, ...config],
    });
    this.scenario.recordAction(
      "affinity",
      `Service ${this.name} switched to session affinity ${affinity}${timeoutSeconds ? ` (${timeoutSeconds} s)` : ""}`,
      [],
      this.name,
    );
  }
}

/** The scenario's Services by name, as the calls that made them registered them. */
const servicesSlot = defineSlot("Services", () => new Map<string, Service>());

/** Names of the Services the scenario made, sorted. */
export function serviceNames(scenario: ScenarioContext): string[] {
  return [...(scenario.peek(servicesSlot)?.keys() ?? [])].sort();
}

/**
 * Starts watching the EndpointSlices of a Service the scenario just made (for timing endpoint changes) and registers
 * it, so steps can name it; returns its handle. A Service made again under the same name (re-applied, recreated)
 * keeps its handle and gets a fresh watch.
 */
export async function watchService(scenario: ScenarioContext, name: string): Promise<Service> {
  await watchEndpoints(scenario, name);
  const services = scenario.slot(servicesSlot);
  const service = services.get(name) ?? new Service(scenario, name);
  services.set(name, service);
  return service;
}
