// The {sender} and {outsideTarget} phrases: each alternative maps to the right sender or target, and neither matches
// a bare quoted URL, so "a client pod sends 3 requests to "http://web"" stays the in-cluster traffic step.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSender, senderPattern } from "../../support/outside/send.ts";
import { outsideTargetPattern, parseOutsideTarget } from "../../support/outside/targets.ts";

const whole = (pattern: RegExp) => new RegExp(`^(?:${pattern.source})$`);

function sender(text: string) {
  const match = whole(senderPattern).exec(text);
  assert.ok(match, `"${text}" is a sender`);
  return parseSender(match[1], match[2], match[3], match[4]);
}

function target(text: string) {
  const match = whole(outsideTargetPattern).exec(text);
  assert.ok(match, `"${text}" is a target`);
  return parseOutsideTarget(match[1], match[2], match[3], match[4], match[5], match[6]);
}

test("each sender phrase names its sender", () => {
  assert.deepEqual(sender("an outside client"), { kind: "outside", name: "outside" });
  assert.deepEqual(sender('the outside client "alice"'), { kind: "outside", name: "alice" });
  assert.deepEqual(sender("the host"), { kind: "host" });
  assert.deepEqual(sender("a client pod"), { kind: "pod" });
  assert.deepEqual(sender('a client pod on node "kubequake-worker"'), { kind: "pod", node: "kubequake-worker" });
});

test("each target phrase names its target, and a bare quoted URL is not one", () => {
  assert.deepEqual(target('the NodePort of "web" on every node'), {
    kind: "nodePort",
    service: "web",
    node: undefined,
  });
  assert.deepEqual(target('the NodePort of "web" on node "kubequake-worker2"'), {
    kind: "nodePort",
    service: "web",
    node: "kubequake-worker2",
  });
  assert.deepEqual(target('the previous NodePort of "web" on every node'), {
    kind: "nodePort",
    service: "web",
    node: undefined,
    previous: true,
  });
  assert.deepEqual(target('the load-balancer address of "web"'), { kind: "loadBalancer", service: "web" });
  assert.deepEqual(target('the previous load-balancer address of "web"'), {
    kind: "loadBalancer",
    service: "web",
    previous: true,
  });
  assert.deepEqual(target('the URL "http://172.18.0.9:8080/"'), { kind: "url", url: "http://172.18.0.9:8080/" });
  assert.equal(whole(outsideTargetPattern).test('"http://web"'), false);
});
