import assert from "node:assert/strict";
import { test } from "node:test";
import { EventuallyTimeoutError, eventually } from "../../support/wait/eventually.ts";

test("eventually returns the first satisfying observation", async () => {
  let polls = 0;
  const { value } = await eventually(
    "the counter reaches 3",
    async () => {
      polls += 1;
      return { satisfied: polls >= 3, value: polls };
    },
    { timeoutMs: 2000, intervalMs: 1 },
  );
  assert.equal(value, 3);
});

test("eventually's timeout names the condition and the last observed value", async () => {
  await assert.rejects(
    eventually("the Service has 2 ready endpoints", async () => ({ satisfied: false, value: ["web-a"] }), {
      timeoutMs: 30,
      intervalMs: 5,
    }),
    (error: unknown) => {
      assert.ok(error instanceof EventuallyTimeoutError);
      assert.match(error.message, /waiting until the Service has 2 ready endpoints; last observed: \["web-a"\]/);
      return true;
    },
  );
});

test("eventually treats a throwing poll as not yet and reports its error on timeout", async () => {
  await assert.rejects(
    eventually(
      "the API answers",
      async () => {
        throw new Error("connection refused");
      },
      { timeoutMs: 20, intervalMs: 5 },
    ),
    /nothing was observed; last poll failed: connection refused/,
  );
});

test("eventually stops when its signal aborts", async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error("cancelled")), 10);
  await assert.rejects(
    eventually("never", async () => ({ satisfied: false, value: 0 }), {
      timeoutMs: 5000,
      intervalMs: 1000,
      signal: controller.signal,
    }),
    /cancelled/,
  );
});

test("a user's mistake ends the wait at once instead of at the timeout", async () => {
  const { UserError } = await import("../../support/errors/user-error.ts");
  const started = performance.now();
  await assert.rejects(
    eventually(
      "a pod starts",
      async () => {
        throw new UserError("pod web cannot start: backend: ErrImageNeverPull", "load the image");
      },
      { timeoutMs: 5000, intervalMs: 10 },
    ),
    /pod web cannot start: backend: ErrImageNeverPull/,
  );
  assert.ok(performance.now() - started < 1000);
});
