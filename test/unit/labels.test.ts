import assert from "node:assert/strict";
import { test } from "node:test";
import { parseLabels } from "../../support/services/labels.ts";

test("parseLabels reads key=value pairs separated by commas, trimming spaces", () => {
  assert.deepEqual(parseLabels("app=web"), { app: "web" });
  assert.deepEqual(parseLabels("app=web, tier=backend"), { app: "web", tier: "backend" });
  assert.deepEqual(parseLabels("app.kubernetes.io/name=web"), { "app.kubernetes.io/name": "web" });
});

test("parseLabels accepts an empty value (a label may be empty) and keeps the last of repeated keys", () => {
  assert.deepEqual(parseLabels("canary="), { canary: "" });
  assert.deepEqual(parseLabels("app=a,app=b"), { app: "b" });
});

test("parseLabels rejects anything that is not key=value, naming the part", () => {
  for (const [text, part] of [
    ["app", "app"],
    ["app=web,tier", "tier"],
    ["app==web", "app==web"],
    ["app!=web", "app!=web"],
    ["app in (web)", "app in (web)"],
    ["", ""],
    ["app=web,", ""],
    ["-app=web", "-app=web"],
    ["app=we b", "app=we b"],
  ]) {
    assert.throws(
      () => parseLabels(text!),
      new Error(`expected labels like "app=web,tier=backend", saw "${text}" (the part "${part}" is not key=value)`),
      text,
    );
  }
});
