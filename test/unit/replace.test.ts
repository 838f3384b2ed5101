import assert from "node:assert/strict";
import test from "node:test";
import { mergeInto } from "../../support/objects/replace.ts";

test("an update merges maps key by key, replaces lists and scalars, and null removes a key", () => {
  const read = {
    metadata: { name: "s", resourceVersion: "7", annotations: { a: "1", gone: "x" } },
    status: { loadBalancer: { ingress: [{ ip: "203.0.113.1" }] }, conditions: [{ type: "Old" }] },
  };
  const merged = mergeInto(read, {
    metadata: { annotations: { updated: "true", gone: null } },
    status: { conditions: [{ type: "StatusUpdate", status: "True" }] },
  });
  assert.deepEqual(merged, {
    metadata: { name: "s", resourceVersion: "7", annotations: { a: "1", updated: "true" } },
    status: {
      loadBalancer: { ingress: [{ ip: "203.0.113.1" }] },
      conditions: [{ type: "StatusUpdate", status: "True" }],
    },
  });
  assert.deepEqual(read.metadata.annotations, { a: "1", gone: "x" }, "the object read is left as it was");
});
