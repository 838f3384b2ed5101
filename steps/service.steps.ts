import { Given, Then, When } from "@cucumber/cucumber";
import { waitForEndpoints } from "../support/endpoints/expectations.ts";
import { readyPodsOf, setSessionAffinity } from "../support/services/backends.ts";
import { exposeSelected } from "../support/services/exposure.ts";
import type { KubequakeWorld } from "../support/world.ts";

Given(
  "the {serviceType} Service {string} selects pods labelled {labels}",
  async function (this: KubequakeWorld, type: string, name: string, selector: Record<string, string>) {
    await exposeSelected(this, { name, selector, type });
  },
);

Given(
  "the headless Service {string} selects pods labelled {labels} and publishes not-ready addresses",
  async function (this: KubequakeWorld, name: string, selector: Record<string, string>) {
    await exposeSelected(this, { name, selector, type: "headless", publishNotReadyAddresses: true });
  },
);

When(
  "the Service {string} switches to session affinity {affinity}",
  async function (this: KubequakeWorld, service: string, affinity: "ClientIP" | "None") {
    await setSessionAffinity(this.scenario, service, affinity);
  },
);

Then(
  "within {int} second(s) the Service {string} has {int} ready endpoint(s)",
  async function (this: KubequakeWorld, seconds: number, service: string, count: number) {
    await waitForEndpoints(
      this,
      service,
      seconds,
      `${count} ready endpoint(s)`,
      (e) => e.filter((x) => x.ready).length === count,
    );
  },
);

Then(
  "within {int} second(s) the Service {string} no longer lists the {word} pod(s) as ready",
  async function (this: KubequakeWorld, seconds: number, service: string, _how: string) {
    const pods = this.scenario.lastAction?.pods ?? [];
    await waitForEndpoints(this, service, seconds, `none of ${pods.join(", ")} as a ready endpoint`, (e) =>
      e.every((x) => !x.ready || !pods.includes(x.pod)),
    );
  },
);

Then(
  "within {int} second(s) the ready endpoints of {string} are exactly the ready pods of {string}",
  async function (this: KubequakeWorld, seconds: number, service: string, backend: string) {
    const ready = (await readyPodsOf(this.scenario, backend)).map((p) => p.name);
    await waitForEndpoints(this, service, seconds, `exactly ${ready.join(", ")} as ready endpoints`, (e) =>
      sameMembers(
        e.filter((x) => x.ready).map((x) => x.pod),
        ready,
      ),
    );
  },
);

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
