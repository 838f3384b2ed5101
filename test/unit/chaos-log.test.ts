import assert from "node:assert/strict";
import { test } from "node:test";
import { ChaosLog } from "../../support/chaos/chaos-log.ts";

/** A change that logs its steps, so the tests can see what ran in which order. */
function logged(log: string[], name: string, options: { failMake?: boolean } = {}) {
  return {
    make: async () => {
      log.push(`${name} made`);
      if (options.failMake) throw new Error(`${name} refused`);
    },
    settle: async () => {
      log.push(`${name} settled`);
    },
  };
}

test("a fault is stamped when its change returned, before the wait for its effect", async () => {
  const log: string[] = [];
  const chaos = new ChaosLog(process.pid);
  await chaos.apply("node stopped", logged(log, "stop"), logged(log, "start"), {
    applied: () => log.push("stamped"),
  });
  assert.deepEqual(log, ["stop made", "stamped", "stop settled"]);
});

test("undoing stamps every undo when its change returned, then waits for recovery from them all", async () => {
  const log: string[] = [];
  const chaos = new ChaosLog(process.pid);
  await chaos.apply("a", logged(log, "a"), logged(log, "undo a"));
  await chaos.apply("b", logged(log, "b"), logged(log, "undo b"));
  log.length = 0;
  await chaos.undoAll((description) => log.push(`stamped undo of ${description}`));
  assert.deepEqual(log, [
    "undo b made",
    "stamped undo of b",
    "undo a made",
    "stamped undo of a",
    "undo b settled",
    "undo a settled",
  ]);
  assert.deepEqual(chaos.pending, []);
});

test("an undo that fails is reported, is not stamped, and the others still run and settle", async () => {
  const log: string[] = [];
  const chaos = new ChaosLog(process.pid);
  await chaos.apply("a", logged(log, "a"), logged(log, "undo a"));
  await chaos.apply("b", logged(log, "b"), logged(log, "undo b", { failMake: true }));
  log.length = 0;
  await assert.rejects(
    chaos.undoAll((description) => log.push(`stamped undo of ${description}`)),
    (error: AggregateError) =>
      error.errors.length === 1 &&
      /undo of "b" failed: undo b refused/.test(error.errors[0].message) &&
      // The report shows the message, not the errors inside it.
      /^1 chaos undo\(s\) failed: undo of "b" failed: undo b refused/.test(error.message),
  );
  assert.deepEqual(log, ["undo b made", "undo a made", "stamped undo of a", "undo a settled"]);
});

test("undoing the latest fault stamps it before its wait", async () => {
  const log: string[] = [];
  const chaos = new ChaosLog(process.pid);
  await chaos.apply("api down", logged(log, "down"), logged(log, "up"));
  log.length = 0;
  await chaos.undoLatest((description) => log.push(`stamped undo of ${description}`));
  assert.deepEqual(log, ["up made", "stamped undo of api down", "up settled"]);
});
