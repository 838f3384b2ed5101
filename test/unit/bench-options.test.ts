import assert from "node:assert/strict";
import { test } from "node:test";
import { benchRequest, usageFromHeader } from "../../bench/options.ts";
import { UserError } from "../../support/errors/user-error.ts";

const bench = { name: "npm run bench", flags: [], soak: true };
const cluster = { name: "npm run bench:cluster", flags: ["--cold"], soak: false };

test("benchRequest: no argument measures, --help or -h wins over everything, --soak hands over to the soak", () => {
  assert.deepEqual(benchRequest([], bench), { kind: "measure" });
  assert.deepEqual(benchRequest(["--cold"], cluster), { kind: "measure" });
  assert.deepEqual(benchRequest(["--soak", "2", "--help"], bench), { kind: "help" });
  assert.deepEqual(benchRequest(["-h"], cluster), { kind: "help" });
  assert.deepEqual(benchRequest(["--soak", "20", "--minutes", "120"], bench), { kind: "soak" });
});

test("benchRequest refuses an argument it does not know, before anything is measured, and lists what it accepts", () => {
  assert.throws(
    () => benchRequest(["--sok", "3"], bench),
    (error: unknown) =>
      error instanceof UserError &&
      error.message.startsWith('npm run bench does not take "--sok", "3"; it accepts --soak N …, --help') &&
      error.fix === "run `npm run bench -- --help` to see what each one does",
  );
  // --soak belongs to bench/scenarios.ts only.
  assert.throws(() => benchRequest(["--soak", "2"], cluster), /does not take "--soak", "2"; it accepts --cold, --help/);
});

test("usageFromHeader keeps the leading comment lines, without their slashes, and stops at the first code line", () => {
  const source = "// `npm run x`: figures\n//   --cold: from empty caches\nimport a from 'b';\n// not usage\n";
  assert.equal(usageFromHeader(source), "`npm run x`: figures\n  --cold: from empty caches");
});
