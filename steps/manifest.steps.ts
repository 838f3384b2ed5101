import { Given } from "@cucumber/cucumber";
import { applyManifestFile, applyManifestText } from "../support/services/manifests.ts";
import type { KubequakeWorld } from "../support/world.ts";

/** Applies your own YAML (one or more documents) into the scenario's namespace; Services in it are watched. */
Given("the manifest:", async function (this: KubequakeWorld, docString: string) {
  await applyManifestText(this.scenario, docString, this.source);
});

/** Applies a YAML file (path relative to the project root) into the scenario's namespace. */
Given("the manifest {string}", async function (this: KubequakeWorld, path: string) {
  await applyManifestFile(this.scenario, path);
});
