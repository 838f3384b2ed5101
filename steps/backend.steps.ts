import assert from "node:assert/strict";
import { Given, Then, When } from "@cucumber/cucumber";
import {
  backendPods,
  deployBackend,
  deployFrontend,
  killBackendPods,
  makePodsReadyAgain,
  makePodsUnready,
  scaleBackend,
} from "../support/services/backends.ts";
import { deployBehindService, exposeBackend, waitUntilServing } from "../support/services/exposure.ts";
import type { KubequakeWorld } from "../support/world.ts";

/** Deploys the demo backend and a Service of the same name selecting it; waits until the Service answers. */
Given(
  "the demo backend runs {int} replica(s) behind the {serviceType} Service {string}",
  async function (this: KubequakeWorld, replicas: number, type: string, service: string) {
    await deployBehindService(this, { service, replicas, type });
  },
);

/** As above, with sessionAffinity ClientIP from the start (default timeout 10800 s, or the given one). */
Given(
  "the demo backend runs {int} replica(s) behind the {serviceType} Service {string} with ClientIP session affinity",
  async function (this: KubequakeWorld, replicas: number, type: string, service: string) {
    await deployBehindService(this, { service, replicas, type, sessionAffinity: "ClientIP" });
  },
);

Given(
  "the demo backend runs {int} replica(s) behind the {serviceType} Service {string} with ClientIP session affinity of {int} second(s)",
  async function (this: KubequakeWorld, replicas: number, type: string, service: string, seconds: number) {
    await deployBehindService(this, {
      service,
      replicas,
      type,
      sessionAffinity: "ClientIP",
      affinityTimeoutSeconds: seconds,
    });
  },
);

Given(
  "the demo backend {string} runs {int} replica(s)",
  async function (this: KubequakeWorld, name: string, replicas: number) {
    await deployBackend(this.scenario, name, replicas);
  },
);

Given(
  "the demo backend {string} runs {int} replica(s) as a StatefulSet behind the headless Service {string}",
  async function (this: KubequakeWorld, name: string, replicas: number, service: string) {
    await exposeBackend(this, { name: service, selector: { app: name }, type: "headless" });
    await deployBackend(this.scenario, name, replicas, { kind: "StatefulSet", serviceName: service });
    await waitUntilServing(this, service, replicas, true);
  },
);

Given(
  "the demo frontend {string} calls {string}",
  async function (this: KubequakeWorld, name: string, backendUrl: string) {
    await deployFrontend(this.scenario, name, backendUrl);
    await exposeBackend(this, { name, selector: { app: name }, type: "ClusterIP" });
    await waitUntilServing(this, name, 1, false);
  },
);

When(
  "{int} pod(s) of {string} is/are {killMode}",
  async function (this: KubequakeWorld, count: number, name: string, mode: "graceful" | "force") {
    await killBackendPods(this.scenario, name, count, mode);
  },
);

When("{string} is scaled to {int} replica(s)", async function (this: KubequakeWorld, name: string, replicas: number) {
  await scaleBackend(this.scenario, name, replicas);
});

When("{int} pod(s) of {string} turn(s) unready", async function (this: KubequakeWorld, count: number, name: string) {
  await makePodsUnready(this.scenario, name, count);
});

When("the unready pod(s) turn(s) ready again", async function (this: KubequakeWorld) {
  await makePodsReadyAgain(this.scenario);
});

Then("the unready pod(s) of {string} is/are still running", async function (this: KubequakeWorld, name: string) {
  const unready = this.scenario.lastAction?.pods ?? [];
  const running = (await backendPods(this.scenario, name)).filter((p) => p.phase === "Running" && !p.terminating);
  assert.deepEqual(
    unready.filter((pod) => !running.some((p) => p.name === pod)),
    [],
    `unready pods must keep running; running: ${running.map((p) => p.name).join(", ")}`,
  );
});
