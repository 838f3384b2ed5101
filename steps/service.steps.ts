import { Given, Then, When } from "@cucumber/cucumber";
import { waitForEndpoints } from "../support/endpoints/expectations.ts";
import type { Action, ScenarioContext } from "../support/scenario/context.ts";
import type { Backend } from "../support/services/backend.ts";
import { setSessionAffinity } from "../support/services/backends.ts";
import { exposeSelected } from "../support/services/exposure.ts";
import type { KubequakeWorld } from "../support/world.ts";

/** A Service selecting already-running pods by label; waits until it serves the ready ones (none is fine). */
Given(
  "the {serviceType} Service {string} selects pods labelled {labels}",
  async function (this: KubequakeWorld, type: string, name: string, selector: Record<string, string>) {
    await exposeSelected(this.scenario, { name, selector, type });
  },
);

/** A headless Service with publishNotReadyAddresses: unready pods stay in its endpoints and DNS records. */
Given(
  "the headless Service {string} selects pods labelled {labels} and publishes not-ready addresses",
  async function (this: KubequakeWorld, name: string, selector: Record<string, string>) {
    await exposeSelected(this.scenario, { name, selector, type: "headless", publishNotReadyAddresses: true });
  },
);

/** Changes a Service's sessionAffinity in place; kube-proxy applies it on its next sync (assert with "within"). */
When(
  "the Service {string} switches to session affinity {affinity}",
  async function (this: KubequakeWorld, service: string, affinity: "ClientIP" | "None") {
    await setSessionAffinity(this.scenario, service, affinity);
  },
);

/** Waits on the Service's EndpointSlices (a watch); reports how long after the last action the count was reached. */
Then(
  "within {int} second(s) the Service {string} has {int} ready endpoint(s)",
  async function (this: KubequakeWorld, seconds: number, service: string, count: number) {
    await waitForEndpoints(
      this.scenario,
      service,
      seconds,
      `${count} ready endpoint(s)`,
      (e) => e.filter((x) => x.ready).length === count,
    );
  },
);

/** The pods of the last kill/unready step are no longer ready endpoints (they may linger as terminating). */
Then(
  "within {int} second(s) the Service {string} no longer lists the {podFate} pod(s) as ready",
  async function (this: KubequakeWorld, seconds: number, service: string, fate: Action["kind"]) {
    const pods = podsThatWere(this.scenario, fate);
    await waitForEndpoints(this.scenario, service, seconds, `none of ${pods.join(", ")} as a ready endpoint`, (e) =>
      e.every((x) => !x.ready || !pods.includes(x.pod)),
    );
  },
);

/** The Service's ready endpoints are exactly the backend's ready pods (by name). */
Then(
  "within {int} second(s) the ready endpoints of {string} are exactly the ready pods of {backend}",
  async function (this: KubequakeWorld, seconds: number, service: string, backend: Backend) {
    const ready = (await backend.readyPods()).map((p) => p.name).sort();
    await waitForEndpoints(
      this.scenario,
      service,
      seconds,
      `exactly ${ready.join(", ")} as ready endpoints`,
      (e) =>
        e
          .filter((x) => x.ready)
          .map((x) => x.pod)
          .sort()
          .join() === ready.join(),
    );
  },
);

function podsThatWere(scenario: ScenarioContext, fate: Action["kind"]): readonly string[] {
  const action = scenario.lastAction;
  if (action?.kind !== fate) {
    throw new Error(
      `expected the previous action to have ${fate} pods, but it was: ${action?.description ?? "nothing yet"}`,
    );
  }
  return action.pods;
}
