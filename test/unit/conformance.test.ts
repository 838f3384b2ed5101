import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseJUnit, writeJUnitSummary } from "../../tooling/conformance/junit.ts";
import { GinkgoProgressReader } from "../../tooling/conformance/progress.ts";

// The shape e2e.test v1.34.4 writes with --report-dir (Ginkgo v2.21, failure message attribute omitted).
const junit = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="6" disabled="3" errors="0" failures="1" time="40.5">
  <testsuite name="Kubernetes e2e suite" tests="6" skipped="3" failures="1" time="40.5">
    <testcase name="[SynchronizedBeforeSuite]" classname="Kubernetes e2e suite" status="passed" time="0.1"></testcase>
    <testcase name="[It] [sig-network] DNS should provide DNS for services  [Conformance]" classname="Kubernetes e2e suite" status="passed" time="2.25"></testcase>
    <testcase name="[It] [sig-network] Services should serve endpoints on same port and different protocols [Conformance]" classname="Kubernetes e2e suite" status="failed" time="31.2">
      <failure type="failed">[FAILED] TCP is still served on 10.96.1.2:80&#xA;In [It] at: service.go:3801 @ 11/26/26 22:50:01.2&#xA;</failure>
    </testcase>
    <testcase name="[It] [sig-network] Services should be able to up and down services" classname="Kubernetes e2e suite" status="skipped" time="0">
      <skipped message="skipped"></skipped>
    </testcase>
    <testcase name="[It] [sig-network] Services should preserve source pod IP" classname="Kubernetes e2e suite" status="skipped" time="0.4">
      <skipped message="skipped - requires at least 3 schedulable nodes, saw 2"></skipped>
    </testcase>
    <testcase name="[ReportAfterSuite] Kubernetes e2e suite report" classname="Kubernetes e2e suite" status="passed" time="0"></testcase>
  </testsuite>
</testsuites>`;

test("the JUnit report yields the tests that ran, failures and skips with their reasons", () => {
  assert.deepEqual(parseJUnit(junit), [
    { name: "[sig-network] DNS should provide DNS for services  [Conformance]", status: "passed", seconds: 2.25 },
    {
      name: "[sig-network] Services should serve endpoints on same port and different protocols [Conformance]",
      status: "failed",
      seconds: 31.2,
      reason: "TCP is still served on 10.96.1.2:80",
    },
    {
      name: "[sig-network] Services should preserve source pod IP",
      status: "skipped",
      seconds: 0.4,
      reason: "requires at least 3 schedulable nodes, saw 2",
    },
  ]);
});

test("a failed suite-level node counts as a failure: no test had a fair chance", () => {
  const results = parseJUnit(`<testsuites><testsuite name="s">
    <testcase name="[SynchronizedBeforeSuite]" status="failed" time="300"><failure type="failed">[FAILED] 1 node is not ready</failure></testcase>
  </testsuite></testsuites>`);
  assert.deepEqual(results, [
    { name: "[SynchronizedBeforeSuite]", status: "failed", seconds: 300, reason: "1 node is not ready" },
  ]);
});

test("the summary JUnit holds only the tests that ran and reads back the same", () => {
  const path = join(mkdtempSync(join(tmpdir(), "kq-junit-")), "conformance.xml");
  const results = parseJUnit(junit);
  writeJUnitSummary(results, "Kubernetes e2e", "/tmp/e2e.log", path);
  const written = readFileSync(path, "utf8");
  assert.equal((written.match(/<testcase /g) ?? []).length, 3);
  assert.deepEqual(parseJUnit(written), results);
});

test("Ginkgo's serial verbose output becomes started and finished events, labels dropped", () => {
  const reader = new GinkgoProgressReader();
  const output = [
    "Will run 2 of 7144 specs",
    "------------------------------",
    "[sig-network] DNS should provide DNS for services [Conformance] [sig-network, Conformance]",
    "k8s.io/kubernetes@v1.34.4/test/e2e/network/dns.go:152",
    "  STEP: Creating a kubernetes client @ 11/26/26 22:47:12.575",
    "• [2.209 seconds]",
    "------------------------------",
    "[sig-network] Services should be rejected when no endpoints exist [sig-network]",
    "k8s.io/kubernetes@v1.34.4/test/e2e/network/service.go:1999",
    "• [FAILED] [12.500 seconds]",
    "",
  ].join("\n");
  // Output arrives in arbitrary chunks; a line split across two chunks must still be read once.
  const events = [...reader.read(output.slice(0, 100)), ...reader.read(output.slice(100))];
  assert.deepEqual(events, [
    { kind: "planned", tests: 2, ofSpecs: 7144 },
    { kind: "started", name: "[sig-network] DNS should provide DNS for services [Conformance]" },
    {
      kind: "finished",
      name: "[sig-network] DNS should provide DNS for services [Conformance]",
      status: "passed",
      seconds: 2.209,
    },
    { kind: "started", name: "[sig-network] Services should be rejected when no endpoints exist" },
    {
      kind: "finished",
      name: "[sig-network] Services should be rejected when no endpoints exist",
      status: "failed",
      seconds: 12.5,
    },
  ]);
});

test("in a parallel run the completion line comes before the spec's text", () => {
  const reader = new GinkgoProgressReader();
  const events = reader.read(
    [
      "------------------------------",
      "• [4.700 seconds]",
      "[sig-network] Services should be able to create a functioning NodePort service [Conformance] [sig-network, Conformance]",
      "k8s.io/kubernetes@v1.34.4/test/e2e/network/service.go:1191",
      "------------------------------",
      "• [FAILED] [194.700 seconds]",
      "[sig-network] Services [It] should have session affinity timeout work for service with type clusterIP [LinuxOnly] [sig-network]",
      "",
    ].join("\n"),
  );
  assert.deepEqual(events, [
    {
      kind: "finished",
      name: "[sig-network] Services should be able to create a functioning NodePort service [Conformance]",
      status: "passed",
      seconds: 4.7,
    },
    {
      kind: "finished",
      name: "[sig-network] Services should have session affinity timeout work for service with type clusterIP [LinuxOnly]",
      status: "failed",
      seconds: 194.7,
    },
  ]);
});
