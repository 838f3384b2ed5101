import assert from "node:assert/strict";
import { test } from "node:test";
import { canStartInParallel } from "../../support/scheduling/serial.ts";

const plain = { tags: [{ name: "@routing" }] };
const serial = { tags: [{ name: "@chaos" }, { name: "@serial" }] };

test("plain scenarios run alongside each other", () => {
  assert.equal(canStartInParallel(plain, []), true);
  assert.equal(canStartInParallel(plain, [plain, plain]), true);
});

test("a @serial scenario starts only when nothing runs, and blocks everything else", () => {
  assert.equal(canStartInParallel(serial, []), true);
  assert.equal(canStartInParallel(serial, [plain]), false);
  assert.equal(canStartInParallel(plain, [serial]), false);
  assert.equal(canStartInParallel(serial, [serial]), false);
});
