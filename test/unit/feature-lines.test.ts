import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { lineProblems } from "../../cli/preflight.ts";

const feature = `Feature: f

  Scenario: one
    Given a thing

  Scenario Outline: two <n>
    Given <n> things

    Examples:
      | n |
      | 1 |
`;

test("a feature path's line must be one Cucumber selects by, else it says which line and where the next scenario is", () => {
  const path = join(mkdtempSync(join(tmpdir(), "kq-lines-")), "f.feature");
  writeFileSync(path, feature);
  assert.deepEqual(lineProblems(`${path}:3`), []);
  assert.deepEqual(lineProblems(`${path}:6:9:11`), []);
  assert.deepEqual(lineProblems(path), []);
  assert.deepEqual(lineProblems(`${path}:5`), [
    `${path}:5 is not the line of a scenario (line 5 is empty; the next scenario starts at line 6: Scenario Outline: two <n>)`,
  ]);
  assert.deepEqual(lineProblems(`${path}:4`), [
    `${path}:4 is not the line of a scenario (line 4 is "Given a thing"; the next scenario starts at line 6: Scenario Outline: two <n>)`,
  ]);
  assert.deepEqual(lineProblems(`${path}:99`), [`${path}:99 is not the line of a scenario (the file has 12 lines)`]);
  // A folder, or a file that does not exist (reported elsewhere), is not this check's business.
  assert.deepEqual(lineProblems("features/routing"), []);
  assert.deepEqual(lineProblems("no/such.feature:3"), []);
});

test("every feature line the harness tests and benches select is a scenario's", async () => {
  const { readFileSync, readdirSync } = await import("node:fs");
  const sources = ["test/harness", "bench"].flatMap((dir) =>
    readdirSync(dir)
      // bad-input.test.ts gives wrong lines on purpose.
      .filter((f) => f.endsWith(".ts") && f !== "bad-input.test.ts")
      .map((f) => join(dir, f)),
  );
  const references = sources.flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/"(features\/[\w/-]+\.feature(?::\d+)+)"/g)].map((m) => ({
      file,
      path: m[1]!,
    })),
  );
  assert.ok(references.length > 0);
  for (const { file, path } of references) assert.deepEqual(lineProblems(path), [], `${file}: ${path}`);
});
