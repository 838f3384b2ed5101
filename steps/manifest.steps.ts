import { Given } from "@cucumber/cucumber";
import { applyManifestFile, applyManifestText } from "../support/services/manifests.ts";
import type { KubequakeWorld } from "../support/world.ts";

Given("the manifest:", async function (this: KubequakeWorld, docString: string) {
  await applyManifestText(this, docString, this.source);
});

Given("the manifest {string}", async function (this: KubequakeWorld, path: string) {
  await applyManifestFile(this, path);
});
