import assert from "node:assert/strict";
import { test } from "node:test";
import { reasonToStopBefore, soakOptions } from "../../bench/soak.ts";
import { UserError } from "../../support/errors/user-error.ts";

test("soakOptions reads the number of runs, repeatable --paths and --parallel", () => {
  assert.deepEqual(soakOptions(["--soak", "2"]), { runs: 2, paths: [] });
  assert.deepEqual(
    soakOptions(["--soak", "1", "--paths", "features/routing", "--paths", "features/dns", "--parallel", "1"]),
    {
      runs: 1,
      paths: ["features/routing", "features/dns"],
      parallel: 1,
    },
  );
});

test("soakOptions refuses a run count that is not a whole number from 1 to 100", () => {
  for (const bad of ["0", "-1", "1.5", "many", "101"]) {
    assert.throws(() => soakOptions(["--soak", bad]), UserError, bad);
  }
});

test("soakOptions reads a time budget in minutes and refuses one that is not above 0", () => {
  assert.deepEqual(soakOptions(["--soak", "20", "--minutes", "120"]), { runs: 20, paths: [], minutes: 120 });
  for (const bad of ["0", "soon"]) {
    assert.throws(() => soakOptions(["--soak", "2", "--minutes", bad]), /--minutes expects a time budget/, bad);
  }
  assert.throws(() => soakOptions(["--soak", "2", "--minutes=-5"]), /--minutes expects a time budget/);
});

test("reasonToStopBefore starts the first run always, and a later one only if the mean run still fits the budget", () => {
  assert.equal(reasonToStopBefore(1, 0, 1), undefined);
  assert.equal(reasonToStopBefore(5, 4000, undefined), undefined);
  // Two runs of 480 s: a third ends near 1440 s, inside a 25-minute budget, not inside a 20-minute one.
  assert.equal(reasonToStopBefore(3, 960, 25), undefined);
  assert.equal(
    reasonToStopBefore(3, 960, 20),
    "run 3 would likely end at 24.0 min (a run takes 8.0 min on average), past the 20-minute budget; 2 run(s) done",
  );
});
