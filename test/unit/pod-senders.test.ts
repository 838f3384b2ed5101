// The {podSender} phrases map to the right sender (URL placeholders are tested in addresses.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { parsePodSender, podSenderPattern } from "../../support/objects/sources.ts";

const whole = new RegExp(`^(?:${podSenderPattern.source})$`);

function sender(text: string) {
  const match = whole.exec(text);
  assert.ok(match, `"${text}" is a pod sender`);
  return parsePodSender(match[1], match[2], match[3]);
}

test("each pod sender phrase names its sender, and an outside sender is not one", () => {
  assert.deepEqual(sender('the pod "test-container"'), { kind: "pod", pod: "test-container" });
  assert.deepEqual(sender('a pod of "netserver"'), { kind: "backend", backend: "netserver" });
  assert.deepEqual(sender('a hostNetwork client on node "kubequake-worker"'), {
    kind: "hostNetwork",
    node: "kubequake-worker",
  });
  assert.equal(whole.test("a client pod"), false);
  assert.equal(whole.test("an outside client"), false);
});
