// The {client} and {outsideTarget} phrases: each alternative maps to the right client or target, and neither matches
// a bare quoted URL, so "a client pod sends 3 requests to "http://web"" stays the step that sends to a URL.
import assert from "node:assert/strict";
import { test } from "node:test";
import { clientPattern, parseClientPhrase } from "../../support/clients/phrases.ts";
import { outsideTargetPattern, parseOutsideTarget } from "../../support/outside/targets.ts";

const whole = (pattern: RegExp) => new RegExp(`^(?:${pattern.source})$`);

function client(text: string) {
  const match = whole(clientPattern).exec(text);
  assert.ok(match, `"${text}" is a client`);
  return parseClientPhrase(match.slice(1));
}

function target(text: string) {
  const match = whole(outsideTargetPattern).exec(text);
  assert.ok(match, `"${text}" is a target`);
  return parseOutsideTarget(match[1], match[2], match[3], match[4], match[5], match[6]);
}

test("each client phrase names its client", () => {
  assert.deepEqual(client("an outside client"), { kind: "outside", name: "outside" });
  assert.deepEqual(client('the outside client "alice"'), { kind: "outside", name: "alice" });
  assert.deepEqual(client("the host"), { kind: "host" });
  assert.deepEqual(client("a client pod"), { kind: "clientPod" });
  assert.deepEqual(client('a client pod on node "kubequake-worker"'), { kind: "clientPod", node: "kubequake-worker" });
  assert.deepEqual(client('the pod "test-container"'), { kind: "madePod", pod: "test-container" });
  assert.deepEqual(client('a pod of "netserver"'), { kind: "backendPod", backend: "netserver" });
  assert.deepEqual(client('a hostNetwork client on node "kubequake-worker"'), {
    kind: "hostNetwork",
    node: "kubequake-worker",
  });
  assert.equal(whole(clientPattern).test('"http://web"'), false);
  assert.equal(whole(clientPattern).test("2 client pods"), false);
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
