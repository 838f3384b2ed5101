// The scenario's clients: a {client} phrase finds its client in the registry without calling the API (the same client
// each time), "the pod" a step never made is refused with the scenario's clients listed, and every kind's one `send`
// leaves the same evidence (per-request results, the sender's address, a transcript line).
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeClient, sendPaced } from "../../support/clients/client.ts";
import { clientOf } from "../../support/clients/phrases.ts";
import { directProberApi } from "../../support/clients/prober-api.ts";
import { UserError } from "../../support/errors/user-error.ts";
import type { HttpProbe } from "../../support/kube/prober.ts";
import type { ScenarioContext, Slot } from "../../support/scenario/context.ts";

/** A scenario with slots and a transcript, and no cluster: any API call would throw. */
function fakeScenario() {
  const slots = new Map<Slot<unknown>, unknown>();
  const notes: string[] = [];
  const scenario = {
    name: "kq-test",
    kube: undefined,
    onCleanup: [],
    note: (line: string) => notes.push(line),
    slot<T>(slot: Slot<T>): T {
      if (!slots.has(slot)) slots.set(slot, slot.create(scenario as unknown as ScenarioContext));
      return slots.get(slot) as T;
    },
    peek: <T>(slot: Slot<T>) => slots.get(slot) as T | undefined,
  };
  return { scenario: scenario as unknown as ScenarioContext, notes };
}

test("a phrase finds the same client each time, without an API call", () => {
  const { scenario } = fakeScenario();
  const pod = clientOf(scenario, { kind: "clientPod" });
  assert.equal(clientOf(scenario, { kind: "clientPod" }), pod);
  assert.equal(pod.label, "a client pod");
  assert.equal(pod.kind, "pod");
  const onNode = clientOf(scenario, { kind: "hostNetwork", node: "kubequake-worker" });
  assert.equal(onNode.kind, "hostNetwork pod");
  assert.equal(onNode.label, 'a hostNetwork client on node "kubequake-worker"');
  assert.equal(clientOf(scenario, { kind: "outside", name: "alice" }).label, 'the outside client "alice"');
  assert.equal(clientOf(scenario, { kind: "outside", name: "outside" }).kind, "outside container");
  assert.equal(clientOf(scenario, { kind: "host" }).label, "the host");
});

test('"the pod" a step never made is refused, listing the scenario\'s clients', () => {
  const { scenario } = fakeScenario();
  clientOf(scenario, { kind: "clientPod" });
  clientOf(scenario, { kind: "outside", name: "outside" });
  assert.throws(
    () => clientOf(scenario, { kind: "madePod", pod: "tset-container" }),
    (error: unknown) =>
      error instanceof UserError &&
      /the pod "tset-container" is not a client of this scenario \(its clients so far: a client pod, an outside client\)/.test(
        error.message,
      ),
  );
});

test("send leaves the evidence every kind shares, and checks the count before the client is made", async () => {
  const { scenario, notes } = fakeScenario();
  let started = 0;
  let sent: unknown;
  const client = makeClient(scenario, {
    kind: "outside container",
    label: "an outside client",
    start: async () => {
      started += 1;
      return { name: "kq-x-client-outside", address: "172.18.0.9" };
    },
    shownAs: (who) => `outside client "outside" (${who.address})`,
    proberApi: (who) => directProberApi(`outside client "outside" (${who.address})`, `http://${who.address}:8080`),
    probe: async (_who, request) => {
      sent = request;
      const result = {
        seq: 0,
        startUnixMs: 1,
        durationMs: 2,
        ok: true,
        status: 200,
        error: "",
        errorKind: "" as const,
      };
      return {
        url: request.url,
        startedAt: "",
        notSent: 0,
        results: [{ ...result, pod: "web-1", podIP: "10.244.1.2", node: "n", clientIP: "172.18.0.9" }],
      } satisfies HttpProbe;
    },
  });
  await assert.rejects(client.send({ url: "http://172.18.0.2:30080/", count: 0 }), UserError);
  assert.equal(started, 0, "nothing is made for a request count the prober would refuse");
  const result = await client.send({ url: "http://172.18.0.2:30080/", count: 1 });
  assert.equal(result.client, 'outside client "outside" (172.18.0.9)');
  assert.equal(result.senderAddress, "172.18.0.9");
  assert.equal(result.summary.byPod["web-1"], 1);
  assert.deepEqual(sent, {
    url: "http://172.18.0.2:30080/",
    count: 1,
    concurrency: 4,
    timeoutMs: 2000,
    maxDurationMs: 60_000,
  });
  assert.match(
    notes.at(-1) ?? "",
    /^outside client "outside" \(172\.18\.0\.9\) → http:\/\/172\.18\.0\.2:30080\/: 1 requests/,
  );
  await assert.rejects(
    async () => sendPaced(client, { url: "http://x/", count: 2, intervalSeconds: 1, budgetSeconds: 0 }),
    /the time limit must be between 1 and 600 seconds/,
  );
});
