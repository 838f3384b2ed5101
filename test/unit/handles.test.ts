import assert from "node:assert/strict";
import { test } from "node:test";
import type { Kube } from "../../support/kube/client.ts";
import { clusterNode } from "../../support/nodes/registry.ts";
import type { ScenarioContext, Slot } from "../../support/scenario/context.ts";
import { Backend, registerBackend, registerBackendsOf } from "../../support/services/backend.ts";
import { Service } from "../../support/services/service.ts";

/** A Kube whose every API call is counted (and answers an empty list, or the nodes for listNode). */
function countingKube(): { kube: Kube; calls: string[] } {
  const calls: string[] = [];
  const nodes = ["kubequake-control-plane", "kubequake-worker", "kubequake-worker2"].map((name) => ({
    metadata: { name, labels: name.endsWith("control-plane") ? { "node-role.kubernetes.io/control-plane": "" } : {} },
    status: { addresses: [{ type: "InternalIP", address: "172.18.0.2" }] },
  }));
  const api = (group: string) =>
    new Proxy(
      {},
      {
        get: (_, method: string) => () => {
          calls.push(`${group}.${method}`);
          return Promise.resolve({ items: method === "listNode" ? nodes : [] });
        },
      },
    );
  const kube = { core: api("core"), apps: api("apps"), discovery: api("discovery"), objects: api("objects") };
  return { kube: kube as unknown as Kube, calls };
}

/** A scenario with real slots (made on first use) and the counting Kube; nothing else. */
function scenarioWith(kube: Kube): ScenarioContext {
  const slots = new Map<Slot<unknown>, unknown>();
  const scenario = {
    kube,
    name: "kq-test",
    slot<T>(slot: Slot<T>): T {
      if (!slots.has(slot)) slots.set(slot, slot.create(scenario));
      return slots.get(slot) as T;
    },
    peek<T>(slot: Slot<T>): T | undefined {
      return slots.get(slot) as T | undefined;
    },
    watch: () => undefined,
  } as unknown as ScenarioContext;
  return scenario;
}

test("{backend} and {service} resolve from the scenario's registry with no API call", () => {
  const { kube, calls } = countingKube();
  const scenario = scenarioWith(kube);
  const web = registerBackend(scenario, "web", "Deployment");
  for (let i = 0; i < 100; i += 1) assert.equal(Backend.resolve(scenario, "web"), web);
  assert.deepEqual(calls, [], "100 resolutions of a backend make no API call (before: 3 list calls each)");
});

test("a misspelt backend lists the scenario's backends, a misspelt Service its Services, still with no API call", () => {
  const { kube, calls } = countingKube();
  const scenario = scenarioWith(kube);
  registerBackend(scenario, "web", "Deployment");
  registerBackend(scenario, "db", "StatefulSet");
  assert.throws(
    () => Backend.resolve(scenario, "wbe"),
    /^UserError: there is no backend "wbe" in this scenario: it made no Deployment or StatefulSet of that name and no pod labelled app=wbe \(backends here: db, web\)\n {2}what to do: use one of the names above/,
  );
  assert.throws(
    () => Service.resolve(scenario, "wbe"),
    /^UserError: the Service "wbe" was not made by this scenario, so kubequake does not watch its endpoints \(Services of this scenario: none yet\)\n {2}what to do: create it first/,
  );
  assert.deepEqual(calls, []);
});

test("a manifest's workloads and pods register as backends; a Deployment wins over pods of the same app label", () => {
  const scenario = scenarioWith(countingKube().kube);
  registerBackendsOf(scenario, { apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: { app: "echo" } } });
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "echo" },
    spec: { template: { metadata: { labels: { app: "echo" } } } },
  };
  registerBackendsOf(scenario, deployment);
  const stateful = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "db" },
    spec: { template: { metadata: { labels: { app: "db-pods" } } } },
  };
  registerBackendsOf(scenario, stateful);
  assert.equal(Backend.resolve(scenario, "echo").workload, "Deployment");
  assert.equal(Backend.resolve(scenario, "db").workload, "StatefulSet");
  assert.equal(Backend.resolve(scenario, "db-pods").workload, "pods");
  assert.throws(() => Backend.resolve(scenario, "p"), /backends here: db, db-pods, echo\)/);
});

test("{node} reads the cluster's nodes once per scenario, and a typo lists them", async () => {
  const { kube, calls } = countingKube();
  const scenario = scenarioWith(kube);
  for (let i = 0; i < 10; i += 1)
    assert.equal((await clusterNode(scenario, "kubequake-worker")).name, "kubequake-worker");
  await assert.rejects(
    clusterNode(scenario, "kubequake-wrker"),
    /^UserError: there is no node "kubequake-wrker" in the cluster \(nodes: kubequake-control-plane \(control plane\), kubequake-worker, kubequake-worker2\)/,
  );
  assert.deepEqual(calls, ["core.listNode"], "11 resolutions, one list call");
});
