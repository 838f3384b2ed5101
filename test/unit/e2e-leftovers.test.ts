import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { V1Namespace } from "@kubernetes/client-node";
import { e2eLeftovers, e2eTestRunning } from "../../tooling/conformance/leftovers.ts";

const namespace = (name: string, labels: Record<string, string>, phase = "Active"): V1Namespace => ({
  metadata: { name, labels },
  status: { phase },
});

test("e2eLeftovers picks e2e.test's namespaces that are not already terminating, and nothing else", () => {
  const namespaces = [
    namespace("services-5910", { "e2e-framework": "services", "e2e-run": "bf26c1ba" }),
    namespace("dns-1234", { "e2e-framework": "dns" }, "Terminating"),
    namespace("kq-run-w0-routing", { "kubequake.dev/run": "run" }),
    namespace("default", {}),
  ];
  assert.deepEqual(e2eLeftovers(namespaces), ["services-5910"]);
});

test("e2eTestRunning looks for a process named e2e.test", () => {
  const proc = mkdtempSync(join(tmpdir(), "kq-proc-"));
  for (const [pid, comm] of [
    ["1", "systemd\n"],
    ["42", "node\n"],
  ]) {
    mkdirSync(join(proc, pid!));
    writeFileSync(join(proc, pid!, "comm"), comm!);
  }
  mkdirSync(join(proc, "self"));
  assert.equal(e2eTestRunning(proc), false);
  mkdirSync(join(proc, "4242"));
  writeFileSync(join(proc, "4242", "comm"), "e2e.test\n");
  assert.equal(e2eTestRunning(proc), true);
  rmSync(proc, { recursive: true, force: true });
  // Without a /proc to read it cannot tell, and keeps every namespace.
  assert.equal(e2eTestRunning(proc), true);
});
