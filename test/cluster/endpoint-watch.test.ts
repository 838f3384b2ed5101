// Regression: the EndpointSlice watch used to end at the API client's 30 s idle timeout and never come back, so every
// endpoint step after a quiet half minute failed with "nothing was observed". The watcher must outlive it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { kubeconfigPath } from "../../support/cluster/kind.ts";
import { watchEndpoints } from "../../support/endpoints/watcher.ts";
import { connectKube } from "../../support/kube/client.ts";
import { clusterNetworks } from "../../support/kube/networks.ts";
import { ScenarioContext } from "../../support/scenario/context.ts";
import { createService, deployBackend } from "../../support/services/backends.ts";
import { eventually } from "../../support/wait/eventually.ts";
import { demoImageName } from "../../tooling/cluster-build/stages.ts";
import { loadVersions } from "../../tooling/cluster-build/versions.ts";

let context: ScenarioContext;

before(async () => {
  const kube = await connectKube(kubeconfigPath);
  context = await ScenarioContext.start(
    kube,
    { image: demoImageName(loadVersions()), allowedNetworks: await clusterNetworks(kube) },
    { run: `t${Date.now().toString(36)}`, worker: "e2e", scenario: "quiet-endpoint-watch" },
  );
});

after(async () => {
  await context?.cleanup();
});

test("the EndpointSlice watch follows a change that comes after more than 30 quiet seconds", async () => {
  const web = await deployBackend(context, "web", 1);
  await createService(context, { name: "web", selector: { app: "web" } });
  // Through the Scenario's slot, as steps do: its teardown stops the watch, so the test process can end.
  const watcher = await watchEndpoints(context, "web");
  await watcher.waitFor("web has 1 ready endpoint", (e) => e.filter((x) => x.ready).length === 1, 60_000);
  // Nothing changes now; the client ends the quiet watch after 30 s and the informer must open a new one.
  await eventually(
    "the quiet EndpointSlice watch was re-opened after the client's idle timeout",
    async () => ({ satisfied: watcher.reconnects >= 1, value: `${watcher.reconnects} reconnects` }),
    { timeoutMs: 50_000, intervalMs: 1000 },
  );
  await web.scale(2);
  const change = await watcher.waitFor(
    "web has 2 ready endpoints",
    (e) => e.filter((x) => x.ready).length === 2,
    60_000,
  );
  assert.equal(change.endpoints.filter((e) => e.ready).length, 2);
});
