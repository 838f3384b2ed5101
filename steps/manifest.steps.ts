import { Given, When } from "@cucumber/cucumber";
import { applyManifest, applyManifestFile, expectManifestRejected } from "../support/objects/apply.ts";
import type { KubequakeWorld } from "../support/world.ts";

/**
 * Applies your own YAML (one or more documents) into the scenario's namespace, server-side: new objects are created,
 * existing ones updated (re-apply a Service with another selector to switch it). Its workloads (Deployments, Pods…)
 * are waited for until their pods are ready, then every Service in it until it is in service: exactly its ready pods
 * as endpoints, its name resolving, its TCP ports connecting. `{podIP:<pod>}` in it stands for the IP of that pod of
 * the scenario (e.g. in a hand-made EndpointSlice), as in the other manifest steps.
 */
Given("the manifest:", async function (this: KubequakeWorld, docString: string) {
  await applyManifest(this.scenario, docString, this.scenario.source, { waitForServices: true });
});

/** As above, from a YAML file (path relative to the project root). */
Given("the manifest {string}", async function (this: KubequakeWorld, path: string) {
  await applyManifestFile(this.scenario, path, { waitForServices: true });
});

/** As "the manifest:", but returns as soon as the API server accepted it: its Services are not waited for. */
When("the manifest, without waiting for its Services:", async function (this: KubequakeWorld, docString: string) {
  await applyManifest(this.scenario, docString, this.scenario.source, { waitForServices: false });
});

/** The API server must refuse the manifest, with a message containing the text (it fails if the manifest is accepted). */
When(
  "the API server rejects the manifest with {string}:",
  async function (this: KubequakeWorld, message: string, docString: string) {
    await expectManifestRejected(this.scenario, docString, this.scenario.source, message);
  },
);
