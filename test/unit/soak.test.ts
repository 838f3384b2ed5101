import assert from "node:assert/strict";
import { test } from "node:test";
import { soakOptions } from "../../bench/soak.ts";
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
