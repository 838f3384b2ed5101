import assert from "node:assert/strict";
import { test } from "node:test";
import { applyFault, chaosEvents, noteChaosEvent } from "../../support/chaos/faults.ts";
import type { Kube } from "../../support/kube/client.ts";
import { defineSlot, ScenarioContext } from "../../support/scenario/context.ts";

/** A Scenario on a fake API server that only logs the namespace's deletion into `log`. */
function scenarioLogging(log: string[]): Promise<ScenarioContext> {
  const kube = {
    core: {
      createNamespace: async () => ({}),
      deleteNamespace: async () => {
        log.push("namespace deleted");
        return {};
      },
    },
  } as unknown as Kube;
  return ScenarioContext.start(kube, { image: "demo", allowedNetworks: "" }, { run: "r", worker: "w0", scenario: "s" });
}

/** A slot whose teardown logs its name (and fails when asked to). */
function loggingSlot(name: string, log: string[], fails = false) {
  return defineSlot(
    name,
    () => name,
    async () => {
      log.push(`${name} torn down`);
      if (fails) throw new Error(`${name} failed`);
    },
  );
}

test("cleanup undoes the chaos first, then the other slots newest first, then deletes the namespace", async () => {
  const log: string[] = [];
  const scenario = await scenarioLogging(log);
  scenario.slot(loggingSlot("watch", log));
  await applyFault(
    scenario,
    "node stopped",
    { make: async () => void log.push("fault made") },
    { make: async () => void log.push("fault undone") },
  );
  scenario.slot(loggingSlot("load", log));
  await scenario.cleanup();
  assert.deepEqual(log, ["fault made", "fault undone", "load torn down", "watch torn down", "namespace deleted"]);
  assert.equal(scenario.lastAction?.description, "undone: node stopped");
});

test("a failing teardown does not stop the others, and every failure is reported together", async () => {
  const log: string[] = [];
  const scenario = await scenarioLogging(log);
  scenario.slot(loggingSlot("first", log, true));
  scenario.slot(loggingSlot("second", log, true));
  await assert.rejects(scenario.cleanup(), (error: unknown) => {
    assert.ok(error instanceof AggregateError);
    assert.deepEqual(
      error.errors.map((e: Error) => e.message),
      ["second failed", "first failed"],
    );
    return true;
  });
  assert.deepEqual(log, ["second torn down", "first torn down", "namespace deleted"]);
});

test("the chaos timeline reads every action of the scenario, with the chaos log's notes", async () => {
  const scenario = await scenarioLogging([]);
  scenario.recordAction("killed", "web-a killed", ["web-a"]);
  noteChaosEvent(scenario, "steady traffic stopped");
  assert.deepEqual(
    chaosEvents(scenario).map((e) => [e.label, e.kind, e.pods]),
    [
      ["web-a killed", "chaos", ["web-a"]],
      ["steady traffic stopped", "note", []],
    ],
  );
});
