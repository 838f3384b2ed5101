// The console shows each scenario whole and each traffic table right under the step that sent the traffic, also
// with two scenarios running at once (tooling/reports/console-order.ts); before, a table came above its own step.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runNode } from "./run-cucumber.ts";

test("kubequake run prints each traffic table under its own step, each scenario whole", async () => {
  const run = await runNode(["bin/kubequake.js", "run", "--no-cluster-up", "test/fixtures/console-order"], {
    KUBEQUAKE_REPORTS: "reports/harness/console-order",
  });
  assert.equal(run.code, 0, run.output.slice(-3000));
  for (const count of [10, 12]) {
    const block = new RegExp(
      `Scenario: \\w+ requests .*\\n.*✔ Given the demo backend runs 2 replicas .*\\n.*✔ When a client pod sends ${count} requests to "http://web" .*\\n\\n +client-0 → http://web\\n +${count} requests, ${count} succeeded, 0 failed\\n(.*\\n)+? *\\n.*✔ Then every request succeeds`,
    );
    assert.match(run.output, block, `scenario with ${count} requests, in console order`);
  }
});
